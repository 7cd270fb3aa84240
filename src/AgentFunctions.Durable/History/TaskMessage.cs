namespace AgentFunctions.Durable.History;

/// <summary>
/// A message addressed to an orchestration instance (or, for <see cref="TaskScheduledEvent"/>, to the activity
/// workers on its behalf). Messages carry the history event they will become once processed.
/// </summary>
/// <param name="InstanceId">The target instance.</param>
/// <param name="ExecutionId">The target execution; null matches any (client-sent events).</param>
/// <param name="Event">The event to deliver.</param>
public sealed record TaskMessage(string InstanceId, string? ExecutionId, HistoryEvent Event)
{
    /// <summary>When the message becomes deliverable (durable timers, delayed starts); null for at once.</summary>
    public DateTimeOffset? DeliverAt => Event switch
    {
        TimerFiredEvent timer => timer.FireAt,
        ExecutionStartedEvent { ScheduledStartTime: { } startAt } => startAt,
        _ => null,
    };
}
