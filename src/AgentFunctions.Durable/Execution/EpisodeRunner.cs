using AgentFunctions.Durable.Backend;
using AgentFunctions.Durable.History;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Durable.Execution;

/// <summary>
/// Turns one orchestration work item into a commit: find or rebuild the session, apply the messages it has
/// not seen, collect the steps the code asked for, and describe the instance afterwards. It does no I/O but
/// reading history on a cache miss, so the same logic serves every backend.
/// </summary>
internal sealed class EpisodeRunner(ExecutionEnvironment environment, SessionCache cache, TimeProvider time, ILogger logger)
{
    public async Task<(OrchestrationCommit Commit, OrchestrationSession Session)> RunAsync(
        IOrchestrationBackend backend, OrchestrationWorkItem workItem, CancellationToken cancellationToken)
    {
        var instanceId = workItem.InstanceId;
        var session = cache.Take(instanceId);
        if (session is not null)
        {
            DurableTelemetry.CacheHits.Add(1);
        }
        else
        {
            var history = await backend.GetHistoryAsync(instanceId, cancellationToken).ConfigureAwait(false);
            session = Replay(instanceId, history, environment);
            DurableTelemetry.ReplayedEvents.Add(history.Count);
        }

        var now = time.GetUtcNow();
        var historyBefore = session.History.Count;
        var episodeStarted = false;
        var terminatedBeforeStart = false;
        var deferred = new List<TaskMessage>();
        var awaitingStart = workItem.State is { RuntimeStatus: OrchestrationRuntimeStatus.Pending };
        foreach (var message in OrderForDelivery(workItem.Messages))
        {
            var incoming = message.Event;
            if (!session.IsStarted && awaitingStart && incoming is not (ExecutionStartedEvent or ExecutionTerminatedEvent))
            {
                // Overtook the start message (or the start is scheduled for later): keep it for then.
                deferred.Add(message);
                continue;
            }

            if (IsStale(session, message) || !session.Accepts(incoming))
            {
                terminatedBeforeStart |= incoming is ExecutionTerminatedEvent && !session.IsStarted;
                DurableTelemetry.DroppedMessages.Add(1);
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    logger.LogDebug("Dropped {EventType} for instance {InstanceId}: duplicate, stale or not applicable.", incoming.GetType().Name, instanceId);
                }
                continue;
            }

            if (!episodeStarted)
            {
                session.Apply(new OrchestratorStartedEvent(now), isReplaying: false);
                episodeStarted = true;
            }

            session.Apply(incoming, isReplaying: false);
        }

        if (!episodeStarted && session.Completion is not null && workItem.State is { } stored && !stored.RuntimeStatus.IsTerminal())
        {
            // The replay itself ended the execution (the code no longer matches its history): record that.
            session.Apply(new OrchestratorStartedEvent(now), isReplaying: false);
            episodeStarted = true;
        }

        if (!episodeStarted)
        {
            var repaired = terminatedBeforeStart && workItem.State is { RuntimeStatus: OrchestrationRuntimeStatus.Pending } pending
                ? pending with { RuntimeStatus = OrchestrationRuntimeStatus.Terminated, LastUpdatedAt = now, CompletedAt = now }
                : RepairedState(session, workItem.State, now);
            return (new OrchestrationCommit([], repaired, [], [], Deferred: deferred), session);
        }

        session.TakeNewActions(now);
        return (BuildCommit(session, workItem.State, historyBefore, now) with { Deferred = deferred }, session);
    }

    /// <summary>Applies a stored history to a fresh session: a cold replay.</summary>
    internal static OrchestrationSession Replay(string instanceId, IReadOnlyList<HistoryEvent> history, ExecutionEnvironment environment)
    {
        var session = new OrchestrationSession(instanceId, environment);
        foreach (var e in history)
        {
            session.Apply(e, isReplaying: true);
        }

        return session;
    }

    /// <summary>
    /// When every message was a duplicate, history already holds the episode they caused; if the stored row
    /// does not show it (a crash between writing history and writing the row), the row is rewritten from the
    /// replayed session. Otherwise null: nothing to change.
    /// </summary>
    private static OrchestrationState? RepairedState(OrchestrationSession session, OrchestrationState? stored, DateTimeOffset now)
    {
        if (!session.IsStarted || stored is null)
        {
            return null;
        }

        var completion = session.Completion;
        var status = completion?.Status ?? (session.IsSuspended ? OrchestrationRuntimeStatus.Suspended : OrchestrationRuntimeStatus.Running);
        if (status == OrchestrationRuntimeStatus.ContinuedAsNew || !string.Equals(stored.ExecutionId, session.ExecutionId, StringComparison.Ordinal))
        {
            return null;
        }

        var expected = stored with
        {
            RuntimeStatus = status,
            CustomStatus = session.CustomStatus,
            Output = completion?.Output,
            FailureDetails = completion?.Failure,
        };
        return expected == stored
            ? null
            : expected with { LastUpdatedAt = now, CompletedAt = status.IsTerminal() ? stored.CompletedAt ?? now : null };
    }

    private static IEnumerable<TaskMessage> OrderForDelivery(IReadOnlyList<TaskMessage> messages)
    {
        // A start must precede anything sent to the instance in the same batch (an event raised right after
        // scheduling); otherwise arrival order is kept.
        foreach (var m in messages)
        {
            if (m.Event is ExecutionStartedEvent)
            {
                yield return m;
            }
        }

        foreach (var m in messages)
        {
            if (m.Event is not ExecutionStartedEvent)
            {
                yield return m;
            }
        }
    }

    private static bool IsStale(OrchestrationSession session, TaskMessage message) =>
        message.ExecutionId is { } target
        && session.IsStarted
        && message.Event is not ExecutionStartedEvent
        && !string.Equals(target, session.ExecutionId, StringComparison.Ordinal);

    private OrchestrationCommit BuildCommit(OrchestrationSession session, OrchestrationState? previous, int historyBefore, DateTimeOffset now)
    {
        var history = session.History;
        var newEvents = new List<HistoryEvent>(history.Count - historyBefore + 1);
        for (var i = historyBefore; i < history.Count; i++)
        {
            newEvents.Add(history[i]);
        }

        var activityMessages = new List<TaskMessage>();
        var orchestratorMessages = new List<TaskMessage>();
        foreach (var e in newEvents)
        {
            switch (e)
            {
                case TaskScheduledEvent scheduled:
                    activityMessages.Add(new TaskMessage(session.InstanceId, session.ExecutionId, scheduled));
                    break;
                case TimerCreatedEvent timer:
                    orchestratorMessages.Add(new TaskMessage(session.InstanceId, session.ExecutionId, new TimerFiredEvent(timer.FireAt, timer.EventId, timer.FireAt)));
                    break;
                case SubOrchestrationCreatedEvent child:
                    var parent = new ParentInstance(session.InstanceId, session.ExecutionId, child.EventId, session.Name);
                    orchestratorMessages.Add(new TaskMessage(
                        child.InstanceId,
                        null,
                        new ExecutionStartedEvent(now, child.Name, NewExecutionId(), child.Input, parent)));
                    break;
            }
        }

        var state = (previous ?? new OrchestrationState(session.InstanceId, session.Name, session.ExecutionId, OrchestrationRuntimeStatus.Pending, now, now)) with
        {
            Name = session.Name,
            ExecutionId = session.ExecutionId,
            LastUpdatedAt = now,
            CustomStatus = session.CustomStatus,
            Input = session.RawInput,
            ParentInstanceId = session.ParentInstance?.InstanceId,
        };

        var completion = session.Completion;
        if (completion is null)
        {
            state = state with { RuntimeStatus = session.IsSuspended ? OrchestrationRuntimeStatus.Suspended : OrchestrationRuntimeStatus.Running };
            return new OrchestrationCommit(newEvents, state, activityMessages, orchestratorMessages);
        }

        DurableTelemetry.Completions.Add(1, new KeyValuePair<string, object?>("status", completion.Status.ToString()));
        if (completion.Status == OrchestrationRuntimeStatus.ContinuedAsNew)
        {
            var executionId = NewExecutionId();
            orchestratorMessages.Add(new TaskMessage(
                session.InstanceId,
                executionId,
                new ExecutionStartedEvent(now, session.Name, executionId, completion.ContinueAsNewInput, session.ParentInstance)));
            foreach (var carried in completion.CarriedOverEvents ?? [])
            {
                orchestratorMessages.Add(new TaskMessage(session.InstanceId, executionId, carried));
            }

            state = state with
            {
                RuntimeStatus = OrchestrationRuntimeStatus.Running,
                ExecutionId = executionId,
                Input = completion.ContinueAsNewInput,
                Output = null,
                FailureDetails = null,
            };

            // Activities the last execution scheduled still run; their results are discarded as stale.
            return new OrchestrationCommit([], state, activityMessages, orchestratorMessages, ResetHistory: true);
        }

        newEvents.Add(new ExecutionCompletedEvent(now, completion.Status, completion.Output, completion.Failure));
        state = state with
        {
            RuntimeStatus = completion.Status,
            Output = completion.Output,
            FailureDetails = completion.Failure,
            CompletedAt = now,
        };

        if (completion.Failure is { } failure)
        {
            logger.LogWarning("Orchestration {Name} instance {InstanceId} failed: {Failure}", session.Name, session.InstanceId, failure.ToString());
        }

        if (session.ParentInstance is { } parentInstance)
        {
            HistoryEvent toParent = completion.Status switch
            {
                OrchestrationRuntimeStatus.Completed => new SubOrchestrationCompletedEvent(now, parentInstance.TaskScheduledId, completion.Output),
                OrchestrationRuntimeStatus.Terminated => new SubOrchestrationFailedEvent(now, parentInstance.TaskScheduledId, new TaskFailureDetails(
                    "OrchestrationTerminated", $"Sub-orchestration '{session.Name}' (instance '{session.InstanceId}') was terminated: {completion.Output}")),
                _ => new SubOrchestrationFailedEvent(now, parentInstance.TaskScheduledId, completion.Failure
                    ?? new TaskFailureDetails("OrchestrationFailed", $"Sub-orchestration '{session.Name}' failed.")),
            };
            orchestratorMessages.Add(new TaskMessage(parentInstance.InstanceId, parentInstance.ExecutionId, toParent));
        }

        return new OrchestrationCommit(newEvents, state, activityMessages, orchestratorMessages);
    }

    private static string NewExecutionId() => Guid.NewGuid().ToString("N");
}
