using System.Text.Json;
using AgentFunctions.Durable.Execution;
using AgentFunctions.Durable.History;

namespace AgentFunctions.Durable.Testing;

/// <summary>What replaying a recorded history against current code produced.</summary>
/// <param name="Status">The status the code reached; Running when the history ends mid-run.</param>
/// <param name="Output">The serialized output, when completed.</param>
/// <param name="Failure">The failure, when failed (a non-determinism error included).</param>
/// <param name="PendingSteps">Steps the code asked for beyond the end of the history.</param>
public sealed record ReplayResult(OrchestrationRuntimeStatus Status, string? Output, TaskFailureDetails? Failure, int PendingSteps);

/// <summary>
/// Replays recorded (golden) histories against the current orchestrator code, the way a restarted worker
/// would. A code change that would break runs in flight fails the replay with a non-determinism error.
/// </summary>
public static class HistoryReplayer
{
    /// <summary>The serializer options golden history files use.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(DataConverter.CreateDefaultOptions()) { WriteIndented = true };

    /// <summary>Serializes a history to the committed JSON form.</summary>
    public static string Serialize(IReadOnlyList<HistoryEvent> history) => JsonSerializer.Serialize(history, JsonOptions);

    /// <summary>Reads a history from its committed JSON form.</summary>
    public static IReadOnlyList<HistoryEvent> Deserialize(string json) =>
        JsonSerializer.Deserialize<List<HistoryEvent>>(json, JsonOptions) ?? throw new JsonException("The history file holds no events.");

    /// <summary>Replays a history against the registered orchestrators.</summary>
    public static ReplayResult Replay(IReadOnlyList<HistoryEvent> history, DurableTaskRegistry registry, string instanceId = "replay")
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(registry);
        var session = EpisodeRunner.Replay(instanceId, history, OrchestrationSession.StandaloneEnvironment(registry));
        var pending = session.TakeNewActions(DateTimeOffset.UnixEpoch).Count;
        return session.Completion is { } done
            ? new ReplayResult(done.Status, done.Output, done.Failure, pending)
            : new ReplayResult(OrchestrationRuntimeStatus.Running, null, null, pending);
    }
}
