using Microsoft.Extensions.Logging;

namespace AgentFunctions.Durable;

/// <summary>
/// What an orchestrator may touch. Orchestrator code is replayed against history, so everything
/// non-deterministic (time, GUIDs, I/O, logging) goes through this context; member names follow
/// <c>Microsoft.DurableTask.TaskOrchestrationContext</c>.
/// </summary>
public abstract class TaskOrchestrationContext
{
    /// <summary>The orchestrator's registered name.</summary>
    public abstract string Name { get; }

    /// <summary>The instance id.</summary>
    public abstract string InstanceId { get; }

    /// <summary>The parent instance, when this is a sub-orchestration.</summary>
    public abstract ParentOrchestrationInstance? Parent { get; }

    /// <summary>True while the code is re-executing steps already in history.</summary>
    public abstract bool IsReplaying { get; }

    /// <summary>The current time, from history: the same value on every replay.</summary>
    public abstract DateTime CurrentUtcDateTime { get; }

    /// <summary>Deserializes the orchestration's input.</summary>
    public abstract T? GetInput<T>();

    /// <summary>Schedules an activity and returns its result.</summary>
    public abstract Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, TaskOptions? options = null);

    /// <summary>Schedules an activity that returns nothing.</summary>
    public virtual Task CallActivityAsync(string name, object? input = null, TaskOptions? options = null) =>
        CallActivityAsync<object?>(name, input, options);

    /// <summary>Starts a sub-orchestration and returns its output.</summary>
    public abstract Task<TResult> CallSubOrchestratorAsync<TResult>(string orchestratorName, object? input = null, TaskOptions? options = null);

    /// <summary>Starts a sub-orchestration whose output is ignored.</summary>
    public virtual Task CallSubOrchestratorAsync(string orchestratorName, object? input = null, TaskOptions? options = null) =>
        CallSubOrchestratorAsync<object?>(orchestratorName, input, options);

    /// <summary>
    /// A durable timer that fires at <paramref name="fireAt"/>; cancelling it completes the task as cancelled at once.
    /// Cancel with <see cref="CancellationTokenSource.Cancel()"/>, never <c>CancelAsync</c>, whose callbacks run on the
    /// thread pool outside the orchestration's scheduler.
    /// </summary>
    public abstract Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken);

    /// <summary>A durable timer that fires after <paramref name="delay"/>.</summary>
    public virtual Task CreateTimer(TimeSpan delay, CancellationToken cancellationToken) =>
        CreateTimer(CurrentUtcDateTime.Add(delay), cancellationToken);

    /// <summary>Waits for an external event; an event that arrived earlier is taken from the buffer.</summary>
    public abstract Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits for an external event or a durable timeout, whichever comes first; the loser is cancelled.
    /// On timeout the task throws <see cref="TaskCanceledException"/>.
    /// </summary>
    public virtual async Task<T> WaitForExternalEvent<T>(string eventName, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource();
        var eventTask = WaitForExternalEvent<T>(eventName, cancel.Token);
        var timerTask = CreateTimer(CurrentUtcDateTime.Add(timeout), cancel.Token);
        var winner = await Task.WhenAny(eventTask, timerTask);
#pragma warning disable CA1849 // CancelAsync runs callbacks on the thread pool, outside the orchestration's scheduler: orchestrators must cancel synchronously.
        cancel.Cancel();
#pragma warning restore CA1849
        if (winner == eventTask)
        {
            return await eventTask;
        }

        throw new TaskCanceledException($"Timed out after {timeout} waiting for external event '{eventName}'.");
    }

    /// <summary>Sets the instance's custom status (serialized; capped in size).</summary>
    public abstract void SetCustomStatus(object? customStatus);

    /// <summary>Restarts the orchestration with new input and an empty history once the current code returns.</summary>
    public abstract void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true);

    /// <summary>A GUID that is the same on every replay.</summary>
    public abstract Guid NewGuid();

    /// <summary>A logger that writes nothing while the code is replaying.</summary>
    public abstract ILogger CreateReplaySafeLogger(string categoryName);

    /// <summary>A logger that writes nothing while the code is replaying.</summary>
    public ILogger CreateReplaySafeLogger<T>() => CreateReplaySafeLogger(typeof(T).FullName ?? typeof(T).Name);
}

/// <summary>Identifies the parent of a sub-orchestration.</summary>
/// <param name="Name">The parent orchestrator's name.</param>
/// <param name="InstanceId">The parent's instance id.</param>
public sealed record ParentOrchestrationInstance(string Name, string InstanceId);
