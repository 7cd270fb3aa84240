using System.Text.Json;
using AgentFunctions.Durable.Backend;
using AgentFunctions.Storage.Tables;

namespace AgentFunctions.Durable.AzureStorage;

/// <summary>Maps instance status rows to and from table entities (PartitionKey = instance id, RowKey = "").</summary>
internal static class InstanceRows
{
    public static readonly string[] SummaryColumns =
        ["PartitionKey", "RowKey", "Name", "ExecutionId", "RuntimeStatus", "CreatedTime", "LastUpdatedTime", "CompletedTime", "FailureDetails", "ParentInstanceId"];

    public static async Task<TableEntity> ToEntityAsync(OrchestrationState state, PayloadStore payloads, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(state.InstanceId, "")
        {
            ["Name"] = state.Name,
            ["ExecutionId"] = state.ExecutionId,
            ["RuntimeStatus"] = state.RuntimeStatus.ToString(),
            ["CreatedTime"] = state.CreatedAt,
            ["LastUpdatedTime"] = state.LastUpdatedAt,
            ["CompletedTime"] = state.CompletedAt,
            ["ParentInstanceId"] = state.ParentInstanceId,
            ["FailureDetails"] = state.FailureDetails is null ? null : JsonSerializer.Serialize(state.FailureDetails, PayloadStore.Json),
        };
        await SetLargeAsync(entity, "Input", state.Input, payloads, cancellationToken).ConfigureAwait(false);
        await SetLargeAsync(entity, "Output", state.Output, payloads, cancellationToken).ConfigureAwait(false);
        await SetLargeAsync(entity, "CustomStatus", state.CustomStatus, payloads, cancellationToken).ConfigureAwait(false);
        return entity;
    }

    public static async Task<OrchestrationState> FromEntityAsync(TableEntity entity, PayloadStore payloads, bool withPayloads, CancellationToken cancellationToken)
    {
        var failure = entity.GetString("FailureDetails");
        return new OrchestrationState(
            entity.PartitionKey,
            entity.GetString("Name") ?? "",
            entity.GetString("ExecutionId") ?? "",
            Enum.TryParse<OrchestrationRuntimeStatus>(entity.GetString("RuntimeStatus"), out var status) ? status : OrchestrationRuntimeStatus.Pending,
            entity.GetDateTimeOffset("CreatedTime") ?? DateTimeOffset.MinValue,
            entity.GetDateTimeOffset("LastUpdatedTime") ?? DateTimeOffset.MinValue,
            entity.GetDateTimeOffset("CompletedTime"),
            withPayloads ? await GetLargeAsync(entity, "Input", payloads, cancellationToken).ConfigureAwait(false) : null,
            withPayloads ? await GetLargeAsync(entity, "Output", payloads, cancellationToken).ConfigureAwait(false) : null,
            withPayloads ? await GetLargeAsync(entity, "CustomStatus", payloads, cancellationToken).ConfigureAwait(false) : null,
            failure is null ? null : JsonSerializer.Deserialize<TaskFailureDetails>(failure, PayloadStore.Json),
            entity.GetString("ParentInstanceId"));
    }

    private static async Task SetLargeAsync(TableEntity entity, string name, string? value, PayloadStore payloads, CancellationToken cancellationToken)
    {
        var (inline, blob) = await payloads.StoreValueAsync(entity.PartitionKey, name.ToLowerInvariant(), value, cancellationToken).ConfigureAwait(false);
        entity[name] = inline;
        entity[name + "Blob"] = blob;
    }

    private static async Task<string?> GetLargeAsync(TableEntity entity, string name, PayloadStore payloads, CancellationToken cancellationToken) =>
        entity.GetString(name + "Blob") is { } blob
            ? await payloads.DownloadAsync(blob, cancellationToken).ConfigureAwait(false)
            : entity.GetString(name);
}
