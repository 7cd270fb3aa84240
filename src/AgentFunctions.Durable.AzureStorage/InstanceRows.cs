using System.Text.Json;
using AgentFunctions.Durable.Backend;
using AgentFunctions.Storage.Tables;

namespace AgentFunctions.Durable.AzureStorage;

/// <summary>Maps instance status rows to and from table entities (PartitionKey and RowKey = instance id).</summary>
/// <remarks>
/// Durable Functions leaves the RowKey empty. Azurite looks a row up by its RowKey first and then scans every row
/// that shares it, so with one RowKey for all rows each insert, update and read of an instance row cost a scan of
/// the whole table (70% of Azurite's time at 9,000 instances). A RowKey equal to the instance id keeps them
/// lookups; on Azure Storage both layouts are point operations.
/// </remarks>
internal static class InstanceRows
{
    /// <summary>The RowKey of an instance's row.</summary>
    public static string RowKey(string instanceId) => instanceId;

    /// <summary>The RowKey of every instance row written before the RowKey was the instance id.</summary>
    public const string LegacyRowKey = "";

    public static readonly string[] SummaryColumns =
        ["PartitionKey", "RowKey", "Name", "ExecutionId", "RuntimeStatus", "CreatedTime", "LastUpdatedTime", "CompletedTime", "FailureDetails", "ParentInstanceId"];

    public static async Task<TableEntity> ToEntityAsync(OrchestrationState state, PayloadStore payloads, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(state.InstanceId, RowKey(state.InstanceId))
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

    /// <summary>The columns a recovery scan reads from a row that carries its start.</summary>
    public static readonly string[] StartColumns = ["PartitionKey", "StartMessage", "StartMessageBlob"];

    /// <summary>Pending rows that carry their start (see <see cref="SetStartAsync"/>).</summary>
    public static string StartsInRowFilter => TableFilter.And(
        TableFilter.Format($"RuntimeStatus eq {nameof(OrchestrationRuntimeStatus.Pending)}"),
        TableFilter.Format($"StartInRow eq {true}"));

    /// <summary>
    /// Makes a Pending row carry its instance's start message (a queue envelope), flagged for the recovery scan of
    /// the next lease holder. The first episode replaces the row, and with it both columns.
    /// </summary>
    public static async Task SetStartAsync(TableEntity entity, string envelope, PayloadStore payloads, CancellationToken cancellationToken)
    {
        await SetLargeAsync(entity, "StartMessage", envelope, payloads, cancellationToken).ConfigureAwait(false);
        entity["StartInRow"] = true;
    }

    /// <summary>The start envelope a row carries, or null.</summary>
    public static Task<string?> GetStartAsync(TableEntity entity, PayloadStore payloads, CancellationToken cancellationToken) =>
        GetLargeAsync(entity, "StartMessage", payloads, cancellationToken);

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
