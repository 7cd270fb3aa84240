using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentFunctions.Durable;
using AgentFunctions.Durable.History;

namespace AgentFunctions.Host.Management;

/// <summary>
/// The instance status body as the Durable Functions HTTP API returns it: camelCase fields, payloads as
/// JSON values (not strings), times as ISO-8601 UTC, history entries in Durable Functions' PascalCase shape.
/// </summary>
internal static class InstanceStatusJson
{
    public static JsonObject Create(OrchestrationMetadata instance, bool showInput, IReadOnlyList<HistoryEvent>? history, bool showHistoryOutput)
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

    private static JsonObject? HistoryEntry(HistoryEvent entry, bool showOutput)
    {
        // OrchestratorStarted markers are bookkeeping; Durable Functions leaves them out of this view too.
        if (entry is OrchestratorStartedEvent)
        {
            return null;
        }

        var node = new JsonObject
        {
            ["EventType"] = entry switch
            {
                SubOrchestrationCreatedEvent => "SubOrchestrationInstanceCreated",
                SubOrchestrationCompletedEvent => "SubOrchestrationInstanceCompleted",
                SubOrchestrationFailedEvent => "SubOrchestrationInstanceFailed",
                _ => entry.GetType().Name[..^"Event".Length],
            },
            ["Timestamp"] = Time(entry.Timestamp),
        };
        switch (entry)
        {
            case ExecutionStartedEvent started:
                node["FunctionName"] = started.Name;
                if (showOutput)
                {
                    node["Input"] = Payload(started.Input);
                }

                break;
            case TaskScheduledEvent scheduled:
                node["FunctionName"] = scheduled.Name;
                node["EventId"] = scheduled.EventId;
                break;
            case TaskCompletedEvent completed:
                node["TaskScheduledId"] = completed.TaskScheduledId;
                if (showOutput)
                {
                    node["Result"] = Payload(completed.Result);
                }

                break;
            case TaskFailedEvent failed:
                node["TaskScheduledId"] = failed.TaskScheduledId;
                node["Reason"] = failed.FailureDetails.ErrorMessage;
                break;
            case SubOrchestrationCreatedEvent created:
                node["FunctionName"] = created.Name;
                node["InstanceId"] = created.InstanceId;
                break;
            case SubOrchestrationCompletedEvent completed:
                node["TaskScheduledId"] = completed.TaskScheduledId;
                if (showOutput)
                {
                    node["Result"] = Payload(completed.Result);
                }

                break;
            case SubOrchestrationFailedEvent failed:
                node["TaskScheduledId"] = failed.TaskScheduledId;
                node["Reason"] = failed.FailureDetails.ErrorMessage;
                break;
            case TimerCreatedEvent timer:
                node["FireAt"] = Time(timer.FireAt);
                break;
            case TimerFiredEvent fired:
                node["TimerId"] = fired.TimerId;
                node["FireAt"] = Time(fired.FireAt);
                break;
            case EventRaisedEvent raised:
                node["Name"] = raised.Name;
                if (showOutput)
                {
                    node["Input"] = Payload(raised.Input);
                }

                break;
            case ExecutionSuspendedEvent or ExecutionResumedEvent or ExecutionTerminatedEvent:
                node["Reason"] = entry switch
                {
                    ExecutionSuspendedEvent s => s.Reason,
                    ExecutionResumedEvent r => r.Reason,
                    ExecutionTerminatedEvent t => t.Reason,
                    _ => null,
                };
                break;
            case ExecutionCompletedEvent done:
                node["OrchestrationStatus"] = done.Status.ToString();
                if (showOutput)
                {
                    node["Result"] = Payload(done.Result);
                }

                break;
        }

        return node;
    }
}
