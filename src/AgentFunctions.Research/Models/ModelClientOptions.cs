namespace AgentFunctions.Research.Models;

/// <summary>How the model client retries and how long one attempt may take.</summary>
public sealed class ModelClientOptions
{
    /// <summary>Retries of throttled (429) and transient (408/5xx, transport, timeout) failures per call. Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// The longest a single in-process wait may be. A server asking for longer is not waited on: the call fails
    /// with <see cref="ModelUnavailableException"/> carrying the server's delay, for a durable timer. Default 20 s.
    /// </summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Timeout of one HTTP attempt. Default 100 s.</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is negative or zero where it must not be.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(NetworkTimeout, TimeSpan.Zero);
    }
}
