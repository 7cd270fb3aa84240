namespace AgentFunctions.Durable.Execution;

/// <summary>
/// Live orchestration sessions between episodes, least recently used evicted first. A session is taken out
/// while its episode runs and put back after a successful commit, so a failed commit simply loses it and the
/// next episode replays from stored history.
/// </summary>
internal sealed class SessionCache(int capacity)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<OrchestrationSession>> _byInstance = new(StringComparer.Ordinal);
    private readonly LinkedList<OrchestrationSession> _lru = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byInstance.Count;
            }
        }
    }

    public OrchestrationSession? Take(string instanceId)
    {
        lock (_gate)
        {
            if (!_byInstance.Remove(instanceId, out var node))
            {
                return null;
            }

            _lru.Remove(node);
            return node.Value;
        }
    }

    public void Put(OrchestrationSession session)
    {
        if (capacity == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_byInstance.Remove(session.InstanceId, out var stale))
            {
                _lru.Remove(stale);
            }

            _byInstance[session.InstanceId] = _lru.AddFirst(session);
            while (_byInstance.Count > capacity && _lru.Last is { } oldest)
            {
                _lru.RemoveLast();
                _byInstance.Remove(oldest.Value.InstanceId);
            }
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _byInstance.Clear();
            _lru.Clear();
        }
    }
}
