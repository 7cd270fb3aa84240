using System.Collections.Concurrent;

namespace AgentFunctions.Host.Approvals;

/// <summary>An <see cref="IDeliveryLog"/> in process memory: correct within one process, forgotten on restart.</summary>
internal sealed class InMemoryDeliveryLog : IDeliveryLog
{
    private readonly ConcurrentDictionary<string, Lazy<Task<DeliveryOutcome>>> _deliveries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string), byte> _claims = new();

    public async Task<DeliveryOutcome> RunOnceAsync(string deliveryId, Func<CancellationToken, Task<DeliveryOutcome>> handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var entry = new Lazy<Task<DeliveryOutcome>>(() => handle(cancellationToken));
        var winner = _deliveries.GetOrAdd(deliveryId, entry);
        DeliveryOutcome outcome;
        try
        {
            outcome = await winner.Value;
        }
        catch
        {
            _deliveries.TryRemove(new KeyValuePair<string, Lazy<Task<DeliveryOutcome>>>(deliveryId, winner));
            throw;
        }

        if (!outcome.Accepted)
        {
            _deliveries.TryRemove(new KeyValuePair<string, Lazy<Task<DeliveryOutcome>>>(deliveryId, winner));
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
}
