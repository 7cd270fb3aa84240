namespace AgentFunctions.Durable;

/// <summary>
/// How a failed activity or sub-orchestration is retried. Retries are driven by durable timers inside the
/// orchestration, so a retry schedule survives restarts and replays identically.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Creates a retry policy.</summary>
    /// <param name="maxNumberOfAttempts">Total attempts including the first; at least 1.</param>
    /// <param name="firstRetryInterval">Delay before the first retry; positive.</param>
    /// <param name="backoffCoefficient">Each delay is the previous one times this; at least 1.</param>
    /// <param name="maxRetryInterval">Upper bound on one delay; null for none.</param>
    /// <param name="retryTimeout">Give up once this much time has passed since the first attempt; null for none.</param>
    public RetryPolicy(
        int maxNumberOfAttempts,
        TimeSpan firstRetryInterval,
        double backoffCoefficient = 1.0,
        TimeSpan? maxRetryInterval = null,
        TimeSpan? retryTimeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNumberOfAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(firstRetryInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(backoffCoefficient, 1.0);
        if (maxRetryInterval is { } max && max < firstRetryInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(maxRetryInterval), max, "maxRetryInterval must not be shorter than firstRetryInterval.");
        }

        MaxNumberOfAttempts = maxNumberOfAttempts;
        FirstRetryInterval = firstRetryInterval;
        BackoffCoefficient = backoffCoefficient;
        MaxRetryInterval = maxRetryInterval;
        RetryTimeout = retryTimeout;
    }

    /// <summary>Total attempts including the first.</summary>
    public int MaxNumberOfAttempts { get; }

    /// <summary>Delay before the first retry.</summary>
    public TimeSpan FirstRetryInterval { get; }

    /// <summary>Multiplier applied to each successive delay.</summary>
    public double BackoffCoefficient { get; }

    /// <summary>Upper bound on one delay.</summary>
    public TimeSpan? MaxRetryInterval { get; }

    /// <summary>Overall time after which no further retry is attempted.</summary>
    public TimeSpan? RetryTimeout { get; }

    /// <summary>
    /// Decides whether a failure is worth retrying; null retries every failure that is not marked
    /// non-retriable. It runs inside the orchestrator, so it must be deterministic.
    /// </summary>
    public Func<TaskFailureDetails, bool>? HandleFailure { get; init; }

    /// <summary>The delay before retry number <paramref name="retryNumber"/> (1 for the first retry).</summary>
    public TimeSpan GetDelay(int retryNumber)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retryNumber, 1);
        var ticks = FirstRetryInterval.Ticks * Math.Pow(BackoffCoefficient, retryNumber - 1);
        var max = (MaxRetryInterval ?? TimeSpan.MaxValue).Ticks;
        return ticks >= max ? TimeSpan.FromTicks(max) : TimeSpan.FromTicks((long)ticks);
    }
}
