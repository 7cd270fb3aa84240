namespace AgentFunctions.Host.Research;

/// <summary>An <see cref="IIdempotencyStore"/> in process memory; expired keys are dropped as new ones arrive.</summary>
internal sealed class InMemoryIdempotencyStore(TimeProvider time) : IIdempotencyStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string InstanceId, string RequestHash, DateTimeOffset Expires, bool Started)> _keys = new(StringComparer.Ordinal);

    public Task<IdempotencyClaim> ClaimAsync(string key, string requestHash, string proposedInstanceId, TimeSpan retention, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_keys.TryGetValue(key, out var existing) && existing.Expires > now)
            {
                return Task.FromResult(new IdempotencyClaim(existing.InstanceId, existing.RequestHash, IsNew: false, existing.Started));
            }

            if (_keys.Count > 0 && _keys.Count % 256 == 0)
            {
                foreach (var stale in _keys.Where(k => k.Value.Expires <= now).Select(k => k.Key).ToList())
                {
                    _keys.Remove(stale);
                }
            }

            _keys[key] = (proposedInstanceId, requestHash, now.Add(retention), false);
            return Task.FromResult(new IdempotencyClaim(proposedInstanceId, requestHash, IsNew: true, IsStarted: false));
        }
    }

    public Task MarkStartedAsync(string key, string instanceId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_keys.TryGetValue(key, out var existing) && existing.InstanceId == instanceId)
            {
                _keys[key] = existing with { Started = true };
            }
        }

        return Task.CompletedTask;
    }

    public Task ReleaseAsync(string key, string instanceId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_keys.TryGetValue(key, out var existing) && existing.InstanceId == instanceId)
            {
                _keys.Remove(key);
            }
        }

        return Task.CompletedTask;
    }
}
