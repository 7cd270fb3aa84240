using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Host.Management;

/// <summary>
/// The instance status body as the Durable Functions HTTP API returns it: camelCase fields, payloads as
/// JSON values (not strings), times as ISO-8601 UTC, history entries in Durable Functions' PascalCase shape.
/// </summary>
internal static class InstanceStatusJson
{
    public static JsonObject Create(OrchestrationMetadata instance, bool showInput, IReadOnlyList<JsonObject>? history, bool showHistoryOutput)
    {
        var status = new JsonObject
        {
            ["name"] = instance.Name,
            ["instanceId"] = instance.InstanceId,
            ["runtimeStatus"] = instance.RuntimeStatus.ToString(),
            ["input"] = showInput ? Payload(instance.SerializedInput) : null,
            ["customStatus"] = Payload(instance.SerializedCustomStatus),
            ["output"] = instance.RuntimeStatus == OrchestrationRuntimeStatus.Failed && instance.FailureDetails is { } failure
                ? JsonValue.Create($"{failure.ErrorType}: {failure.ErrorMessage}")
                : Payload(instance.SerializedOutput),
            ["createdTime"] = Time(instance.CreatedAt),
            ["lastUpdatedTime"] = Time(instance.LastUpdatedAt),
        };
        if (history is not null)
        {
            var events = new JsonArray();
            foreach (var entry in history)
            {
                if (HistoryEntry(entry, showHistoryOutput) is { } node)
                {
                    events.Add(node);
                }
            }

            status["historyEvents"] = events;
        }

        return status;
    }

    /// <summary>A stored payload as a JSON value; text that is not JSON (a terminate reason) becomes a string.</summary>
    public static JsonNode? Payload(string? serialized)
    {
        if (serialized is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(serialized);
        }
        catch (JsonException)
        {
            return JsonValue.Create(serialized);
        }
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static JsonObject? HistoryEntry(JsonObject stored, bool showOutput)
    {
        var type = stored["EventType"] is JsonValue typeValue && typeValue.TryGetValue<int>(out var number) ? (EventType)number : (EventType?)null;

        // OrchestratorStarted/Completed markers are bookkeeping; Durable Functions leaves them out of this view too.
        if (type is null or EventType.OrchestratorStarted or EventType.OrchestratorCompleted)
        {
            return null;
        }

        var node = new JsonObject
        {
            ["EventType"] = type.Value.ToString(),
            ["Timestamp"] = stored["Timestamp"] is JsonValue stamp && stamp.TryGetValue<DateTime>(out var at) ? Time(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc))) : null,
        };
        void Copy(string name, string? as_ = null) => node[as_ ?? name] = stored[name]?.DeepClone();
        void CopyPayload(string name)
        {
            if (showOutput)
            {
                node[name] = Payload(stored[name]?.GetValue<string>());
            }
        }

        switch (type)
        {
            case EventType.ExecutionStarted:
                Copy("Name", "FunctionName");
                CopyPayload("Input");
                break;
            case EventType.TaskScheduled:
                Copy("Name", "FunctionName");
                Copy("EventId");
                break;
            case EventType.TaskCompleted or EventType.SubOrchestrationInstanceCompleted:
                Copy("TaskScheduledId");
                CopyPayload("Result");
                break;
            case EventType.TaskFailed or EventType.SubOrchestrationInstanceFailed:
                Copy("TaskScheduledId");
                node["Reason"] = stored["FailureDetails"]?["ErrorMessage"]?.DeepClone() ?? stored["Reason"]?.DeepClone();
                break;
            case EventType.SubOrchestrationInstanceCreated:
                Copy("Name", "FunctionName");
                Copy("InstanceId");
                break;
            case EventType.TimerCreated:
                node["FireAt"] = ReadTime(stored["FireAt"]);
                break;
            case EventType.TimerFired:
                Copy("TimerId");
                node["FireAt"] = ReadTime(stored["FireAt"]);
                break;
            case EventType.EventRaised:
                Copy("Name");
                CopyPayload("Input");
                break;
            case EventType.ExecutionSuspended or EventType.ExecutionResumed:
                Copy("Reason");
                break;
            case EventType.ExecutionTerminated:
                Copy("Input", "Reason");
                break;
            case EventType.ExecutionCompleted:
                node["OrchestrationStatus"] = stored["OrchestrationStatus"] is JsonValue status && status.TryGetValue<int>(out var code)
                    ? ((OrchestrationRuntimeStatus)code).ToString()
                    : null;
                CopyPayload("Result");
                break;
        }

        return node;
    }

    private static string? ReadTime(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue<DateTime>(out var at) ? Time(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc))) : null;
}
