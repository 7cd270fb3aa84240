namespace AgentFunctions.Host.Research;

/// <summary>
/// Maps an <c>Idempotency-Key</c> to the instance its first submission started. Kept in the
/// <c>{hub}Idempotency</c> table by both hosts, where storage, not process memory, decides which of several racing submissions owns a key.
/// </summary>
public interface IIdempotencyStore
{
    /// <summary>
    /// Atomically maps <paramref name="key"/> to <paramref name="proposedInstanceId"/> unless it is already
    /// mapped (and not expired); returns the mapping that holds. Exactly one of any number of concurrent
    /// callers with one key gets <see cref="IdempotencyClaim.IsNew"/> = true, and only it starts the instance.
    /// </summary>
    Task<IdempotencyClaim> ClaimAsync(string key, string requestHash, string proposedInstanceId, TimeSpan retention, CancellationToken cancellationToken);

    /// <summary>Records that the mapped instance was created, so a repeat never needs to create it again.</summary>
    Task MarkStartedAsync(string key, string instanceId, CancellationToken cancellationToken);

    /// <summary>Removes a new mapping whose instance could not be started, so a retry can start one.</summary>
    Task ReleaseAsync(string key, string instanceId, CancellationToken cancellationToken);
}

/// <summary>The mapping of an idempotency key.</summary>
/// <param name="InstanceId">The instance the key belongs to.</param>
/// <param name="RequestHash">Hash of the request body first submitted under the key.</param>
/// <param name="IsNew">True for the caller that created the mapping.</param>
/// <param name="IsStarted">
/// True once the instance is known to have been created. False while the first submission is still starting
/// it, or when that submission failed without releasing the key (storage down, process killed).
/// </param>
public sealed record IdempotencyClaim(string InstanceId, string RequestHash, bool IsNew, bool IsStarted);
