using System.Collections.Concurrent;

namespace AgentFunctions.Host.Approvals;

/// <summary>
/// An <see cref="IDeliveryLog"/> in process memory: correct within one process, forgotten on restart.
/// Accepted deliveries are remembered for at least <paramref name="retention"/>
/// (<c>AgentFunctions:Review:DeliveryRetention</c>), longer than any sender retries.
/// </summary>
internal sealed class InMemoryDeliveryLog(TimeProvider time, TimeSpan retention) : IDeliveryLog
{
    private readonly ConcurrentDictionary<string, Entry> _deliveries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string), byte> _claims = new();
    private int _sincePrune;

    public async Task<DeliveryOutcome> RunOnceAsync(string deliveryId, Func<CancellationToken, Task<DeliveryOutcome>> handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        PruneNowAndThen();
        var entry = new Entry(new Lazy<Task<DeliveryOutcome>>(() => handle(cancellationToken)), time.GetUtcNow());
        var winner = _deliveries.GetOrAdd(deliveryId, entry);
        DeliveryOutcome outcome;
        try
        {
            outcome = await winner.Run.Value;
        }
        catch
        {
            _deliveries.TryRemove(new KeyValuePair<string, Entry>(deliveryId, winner));
            throw;
        }

        if (!outcome.Accepted)
        {
            // Only accepted deliveries are final; anything else may succeed when retried.
            _deliveries.TryRemove(new KeyValuePair<string, Entry>(deliveryId, winner));
        }

        return outcome;
    }

    public Task<bool> TryClaimDecisionAsync(string instanceId, string roundKey, CancellationToken cancellationToken) =>
        Task.FromResult(_claims.TryAdd((instanceId, roundKey), 0));

    public Task ReleaseDecisionAsync(string instanceId, string roundKey, CancellationToken cancellationToken)
    {
        _claims.TryRemove((instanceId, roundKey), out _);
        return Task.CompletedTask;
    }

    private void PruneNowAndThen()
    {
        if (Interlocked.Increment(ref _sincePrune) % 1024 != 0)
        {
            return;
        }

        var cutoff = time.GetUtcNow() - retention;
        foreach (var (id, entry) in _deliveries)
        {
            if (entry.Received < cutoff)
            {
                _deliveries.TryRemove(new KeyValuePair<string, Entry>(id, entry));
            }
        }
    }

    private sealed record Entry(Lazy<Task<DeliveryOutcome>> Run, DateTimeOffset Received);
}
