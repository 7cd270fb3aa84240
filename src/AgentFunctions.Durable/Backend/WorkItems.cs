using AgentFunctions.Durable.History;

namespace AgentFunctions.Durable.Backend;

/// <summary>
/// Messages for one orchestration instance, locked for one episode: no other work item for the same instance
/// is handed out until this one is completed or abandoned.
/// </summary>
public sealed class OrchestrationWorkItem
{
    /// <summary>Creates a work item.</summary>
    public OrchestrationWorkItem(string instanceId, IReadOnlyList<TaskMessage> messages, OrchestrationState? state)
    {
        InstanceId = instanceId;
        Messages = messages;
        State = state;
    }

    /// <summary>The instance.</summary>
    public string InstanceId { get; }

    /// <summary>New messages, in arrival order.</summary>
    public IReadOnlyList<TaskMessage> Messages { get; }

    /// <summary>The instance's stored status row, or null when there is none.</summary>
    public OrchestrationState? State { get; }

    /// <summary>Backend-specific lock data (receipts, leases).</summary>
    public object? BackendState { get; init; }
}

/// <summary>One scheduled activity call, locked for execution.</summary>
public sealed class ActivityWorkItem
{
    /// <summary>Creates a work item.</summary>
    public ActivityWorkItem(TaskMessage message)
    {
        if (message?.Event is not TaskScheduledEvent scheduled)
        {
            throw new ArgumentException("An activity work item carries a TaskScheduled event.", nameof(message));
        }

        Message = message;
        Scheduled = scheduled;
    }

    /// <summary>The message as the orchestration sent it.</summary>
    public TaskMessage Message { get; }

    /// <summary>The scheduled call.</summary>
    public TaskScheduledEvent Scheduled { get; }

    /// <summary>How many times this message has been handed out, this time included, when the backend knows.</summary>
    public int DequeueCount { get; init; } = 1;

    /// <summary>Backend-specific lock data (receipts).</summary>
    public object? BackendState { get; init; }
}

/// <summary>
/// Everything one orchestration episode produced, to be committed atomically with respect to crashes: after a
/// crash either none of it is visible and the work item's messages are delivered again, or all of it is.
/// A backend that cannot write everything in one transaction must order its writes so that a replayed episode
/// reproduces the same outcome (messages are idempotent by instance, execution and step).
/// </summary>
/// <param name="NewEvents">History events to append (the whole history of the new execution if <paramref name="ResetHistory"/>).</param>
/// <param name="State">The instance row after the episode; null leaves the row as it is (messages only consumed).</param>
/// <param name="ActivityMessages">Activity calls to enqueue.</param>
/// <param name="OrchestratorMessages">Messages to orchestration instances: timers (delivered at their time), sub-orchestration starts, results to a parent, a ContinueAsNew restart.</param>
/// <param name="ResetHistory">True on ContinueAsNew: the stored history is replaced, not appended to.</param>
/// <param name="Deferred">
/// Messages of this work item that arrived before the instance started (queues do not keep order): they are
/// not consumed, but kept and handed out again with the next message for the instance.
/// </param>
public sealed record OrchestrationCommit(
    IReadOnlyList<HistoryEvent> NewEvents,
    OrchestrationState? State,
    IReadOnlyList<TaskMessage> ActivityMessages,
    IReadOnlyList<TaskMessage> OrchestratorMessages,
    bool ResetHistory = false,
    IReadOnlyList<TaskMessage>? Deferred = null);
