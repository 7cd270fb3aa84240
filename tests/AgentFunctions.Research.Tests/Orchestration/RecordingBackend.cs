using System.Collections.Concurrent;
using AgentFunctions.Durable.Backend;
using AgentFunctions.Durable.History;
using AgentFunctions.Durable.InMemory;

namespace AgentFunctions.Research.Tests.Orchestration;

/// <summary>The in-memory backend, recording every custom status an instance commits so tests can see each phase.</summary>
public sealed class RecordingBackend(TimeProvider time) : IOrchestrationBackend
{
    private readonly InMemoryOrchestrationBackend _inner = new(time);
    private readonly ConcurrentDictionary<string, List<string>> _statuses = new();

    public string Name => _inner.Name;

    public IReadOnlyList<string> StatusesOf(string instanceId) =>
        _statuses.TryGetValue(instanceId, out var list) ? Snapshot(list) : [];

    public Task CompleteOrchestrationWorkItemAsync(OrchestrationWorkItem workItem, OrchestrationCommit commit, CancellationToken cancellationToken)
    {
        if (commit.State is { CustomStatus: { } status } state)
        {
            var list = _statuses.GetOrAdd(state.InstanceId, _ => []);
            lock (list)
            {
                if (list.Count == 0 || list[^1] != status)
                {
                    list.Add(status);
                }
            }
        }

        return _inner.CompleteOrchestrationWorkItemAsync(workItem, commit, cancellationToken);
    }

    private static List<string> Snapshot(List<string> list)
    {
        lock (list)
        {
            return [.. list];
        }
    }

    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken) => _inner.CreateIfNotExistsAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => _inner.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => _inner.StopAsync(cancellationToken);

    public Task CreateInstanceAsync(OrchestrationState state, TaskMessage startMessage, CancellationToken cancellationToken) =>
        _inner.CreateInstanceAsync(state, startMessage, cancellationToken);

    public Task CreateNewInstanceAsync(OrchestrationState state, TaskMessage startMessage, CancellationToken cancellationToken) =>
        ((IOrchestrationBackend)_inner).CreateNewInstanceAsync(state, startMessage, cancellationToken);

    public Task SendMessageAsync(TaskMessage message, CancellationToken cancellationToken) => _inner.SendMessageAsync(message, cancellationToken);

    public Task<OrchestrationState?> GetStateAsync(string instanceId, CancellationToken cancellationToken) => _inner.GetStateAsync(instanceId, cancellationToken);

    public Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellationToken) =>
        _inner.GetHistoryAsync(instanceId, cancellationToken);

    public Task<InstanceQueryResult> QueryStatesAsync(InstanceQuery query, CancellationToken cancellationToken) => _inner.QueryStatesAsync(query, cancellationToken);

    public Task<bool> PurgeInstanceAsync(string instanceId, CancellationToken cancellationToken) => _inner.PurgeInstanceAsync(instanceId, cancellationToken);

    public Task WaitForStateChangeAsync(string instanceId, TimeSpan maxWait, CancellationToken cancellationToken) =>
        _inner.WaitForStateChangeAsync(instanceId, maxWait, cancellationToken);

    public Task<OrchestrationWorkItem> LockNextOrchestrationWorkItemAsync(CancellationToken cancellationToken) => _inner.LockNextOrchestrationWorkItemAsync(cancellationToken);

    public Task AbandonOrchestrationWorkItemAsync(OrchestrationWorkItem workItem, CancellationToken cancellationToken) =>
        _inner.AbandonOrchestrationWorkItemAsync(workItem, cancellationToken);

    public Task<ActivityWorkItem> LockNextActivityWorkItemAsync(CancellationToken cancellationToken) => _inner.LockNextActivityWorkItemAsync(cancellationToken);

    public Task CompleteActivityWorkItemAsync(ActivityWorkItem workItem, TaskMessage response, CancellationToken cancellationToken) =>
        _inner.CompleteActivityWorkItemAsync(workItem, response, cancellationToken);

    public Task AbandonActivityWorkItemAsync(ActivityWorkItem workItem, CancellationToken cancellationToken) =>
        _inner.AbandonActivityWorkItemAsync(workItem, cancellationToken);

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
