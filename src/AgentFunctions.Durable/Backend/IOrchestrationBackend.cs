using AgentFunctions.Durable.History;

namespace AgentFunctions.Durable.Backend;

/// <summary>
/// The storage provider of a task hub: instance rows, histories and the message queues between the client,
/// the orchestration dispatcher and the activity dispatcher. The runtime's semantics (replay, retries, timers,
/// events) live above this contract; a backend stores and delivers. Implementations: the in-memory backend
/// (tests, benchmarks) and the Azure Storage backend.
/// </summary>
public interface IOrchestrationBackend : IAsyncDisposable
{
    /// <summary>A short description for logs ("InMemory", "AzureStorage hub 'x'").</summary>
    string Name { get; }

    /// <summary>Creates queues, tables and containers the task hub needs, if missing.</summary>
    Task CreateIfNotExistsAsync(CancellationToken cancellationToken);

    /// <summary>Called when a worker starts processing (acquire the task-hub lease, start pumps).</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Called when a worker stops processing (release the lease).</summary>
    Task StopAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Creates an instance row (Pending) and delivers its start message. If an instance with that id exists
    /// and has not finished, throws <see cref="InstanceAlreadyExistsException"/> and changes nothing; a finished
    /// one is replaced, its history removed.
    /// </summary>
    Task CreateInstanceAsync(OrchestrationState state, TaskMessage startMessage, CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="CreateInstanceAsync"/> for an instance id the client generated for this create, which no
    /// instance can have: there is nothing to check, so a backend may make the start durable in one write (the
    /// Azure Storage backend: a Pending row that carries the start message). By default, the same as
    /// <see cref="CreateInstanceAsync"/>.
    /// </summary>
    Task CreateNewInstanceAsync(OrchestrationState state, TaskMessage startMessage, CancellationToken cancellationToken) =>
        CreateInstanceAsync(state, startMessage, cancellationToken);

    /// <summary>Delivers a message to an instance (raise event, terminate, suspend, resume).</summary>
    Task SendMessageAsync(TaskMessage message, CancellationToken cancellationToken);

    /// <summary>Reads an instance row; null when none.</summary>
    Task<OrchestrationState?> GetStateAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>Reads the current execution's history in order; empty when none.</summary>
    Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>One page of instance rows matching a query, ordered by creation time then id.</summary>
    Task<InstanceQueryResult> QueryStatesAsync(InstanceQuery query, CancellationToken cancellationToken);

    /// <summary>Removes a finished instance: its row, history, messages and payload blobs. False when not found.</summary>
    Task<bool> PurgeInstanceAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>Returns when the instance row may have changed, or after at most <paramref name="maxWait"/>.</summary>
    Task WaitForStateChangeAsync(string instanceId, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>Waits for and locks the next instance that has messages.</summary>
    Task<OrchestrationWorkItem> LockNextOrchestrationWorkItemAsync(CancellationToken cancellationToken);

    /// <summary>Commits an episode and releases the instance lock; its messages are consumed.</summary>
    Task CompleteOrchestrationWorkItemAsync(OrchestrationWorkItem workItem, OrchestrationCommit commit, CancellationToken cancellationToken);

    /// <summary>Releases the instance lock without consuming its messages; they are delivered again.</summary>
    Task AbandonOrchestrationWorkItemAsync(OrchestrationWorkItem workItem, CancellationToken cancellationToken);

    /// <summary>Waits for and locks the next scheduled activity call.</summary>
    Task<ActivityWorkItem> LockNextActivityWorkItemAsync(CancellationToken cancellationToken);

    /// <summary>Delivers an activity's result to its orchestration and consumes the call.</summary>
    Task CompleteActivityWorkItemAsync(ActivityWorkItem workItem, TaskMessage response, CancellationToken cancellationToken);

    /// <summary>Releases an activity call so it is delivered again.</summary>
    Task AbandonActivityWorkItemAsync(ActivityWorkItem workItem, CancellationToken cancellationToken);
}
