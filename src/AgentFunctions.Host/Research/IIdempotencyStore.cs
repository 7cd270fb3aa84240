namespace AgentFunctions.Host.Research;

/// <summary>
/// Maps an <c>Idempotency-Key</c> to the instance its first submission started. The in-memory store
/// forgets on restart; a durable one (insert-if-absent on a table entity keyed by the key) comes with the
/// Azure Storage backend.
/// </summary>
public interface IIdempotencyStore
{
    /// <summary>
    /// Atomically maps <paramref name="key"/> to <paramref name="proposedInstanceId"/> unless it is already
    /// mapped (and not expired); returns the mapping that holds. Exactly one of any number of concurrent
    /// callers with one key gets <see cref="IdempotencyClaim.IsNew"/> = true, and only it starts the instance.
    /// </summary>
    Task<IdempotencyClaim> ClaimAsync(string key, string requestHash, string proposedInstanceId, TimeSpan retention, CancellationToken cancellationToken);

    /// <summary>Removes a new mapping whose instance could not be started, so a retry can start one.</summary>
    Task ReleaseAsync(string key, string instanceId, CancellationToken cancellationToken);
}

/// <summary>The mapping of an idempotency key.</summary>
/// <param name="InstanceId">The instance the key belongs to.</param>
/// <param name="RequestHash">Hash of the request body first submitted under the key.</param>
/// <param name="IsNew">True for the caller that created the mapping.</param>
public sealed record IdempotencyClaim(string InstanceId, string RequestHash, bool IsNew);
