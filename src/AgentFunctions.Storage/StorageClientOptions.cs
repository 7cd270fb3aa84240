using AgentFunctions.Storage.Queues;

namespace AgentFunctions.Storage;

/// <summary>Behaviour shared by every client created from one <see cref="StorageAccountClient"/>.</summary>
public sealed record StorageClientOptions
{
    /// <summary>
    /// How long a failing request keeps being retried, measured from its first attempt (default 45 s, long
    /// enough to ride through an Azurite restart). No new attempt starts once its backoff would end past it.
    /// </summary>
    public TimeSpan RetryWindow { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>The first retry delay; later delays grow exponentially, with jitter, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between two attempts (default 4 s).</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>The time one attempt may take before it is abandoned and retried (default 10 s: an unanswered request is retried instead of eating the whole retry window).</summary>
    public TimeSpan TryTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The most requests in flight at once across all clients of the account (default 256).</summary>
    public int MaxInFlight { get; init; } = 256;

    /// <summary>
    /// The most background requests (see <see cref="StorageRequestPriority"/>) in flight at once while no
    /// foreground request is (default 16).
    /// </summary>
    public int MaxBackgroundInFlight { get; init; } = 16;

    /// <summary>
    /// The most background requests in flight at once while a foreground request is, or was within
    /// <see cref="ForegroundQuietPeriod"/> (default 4): a client's request then queues behind at most this many
    /// in the storage service. Foreground requests never wait for a slot.
    /// </summary>
    public int MaxBackgroundInFlightWhileForeground { get; init; } = 4;

    /// <summary>How long after the last foreground request background work stays throttled (default 250 ms).</summary>
    public TimeSpan ForegroundQuietPeriod { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long an idle pooled connection is kept (default 4 s: below Azurite's 5 s keep-alive, so a request
    /// never races the server closing the connection it picked).
    /// </summary>
    public TimeSpan PooledConnectionIdleTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>How queue message bodies are encoded on the wire (default <see cref="QueueMessageEncoding.Base64"/>).</summary>
    public QueueMessageEncoding MessageEncoding { get; init; } = QueueMessageEncoding.Base64;

    /// <summary>Default options.</summary>
    public static StorageClientOptions Default { get; } = new();

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryWindow, TimeSpan.Zero, nameof(RetryWindow));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(FirstRetryDelay, TimeSpan.Zero, nameof(FirstRetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryDelay, FirstRetryDelay, nameof(MaxRetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TryTimeout, TimeSpan.Zero, nameof(TryTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlight, 1, nameof(MaxInFlight));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBackgroundInFlight, 1, nameof(MaxBackgroundInFlight));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBackgroundInFlightWhileForeground, 1, nameof(MaxBackgroundInFlightWhileForeground));
        ArgumentOutOfRangeException.ThrowIfLessThan(ForegroundQuietPeriod, TimeSpan.Zero, nameof(ForegroundQuietPeriod));
        ArgumentOutOfRangeException.ThrowIfLessThan(PooledConnectionIdleTimeout, TimeSpan.Zero, nameof(PooledConnectionIdleTimeout));
        if (!Enum.IsDefined(MessageEncoding))
        {
            throw new ArgumentOutOfRangeException(nameof(MessageEncoding), MessageEncoding, "Unknown queue message encoding.");
        }
    }
}
