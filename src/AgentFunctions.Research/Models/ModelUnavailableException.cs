namespace AgentFunctions.Research.Models;

/// <summary>
/// The model cannot be reached right now (circuit open, rate limit beyond the in-process wait, service
/// outage). Retryable: the orchestrator should wait <see cref="RetryAfter"/> on a durable timer, then try again.
/// </summary>
public sealed class ModelUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelUnavailableException()
        : this("The model is unavailable.", null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is unavailable and why.</param>
    public ModelUnavailableException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is unavailable and why.</param>
    /// <param name="innerException">The failure behind it.</param>
    public ModelUnavailableException(string message, Exception? innerException)
        : this(message, null, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is unavailable and why.</param>
    /// <param name="retryAfter">How long to wait before trying again, when known.</param>
    /// <param name="innerException">The failure behind it.</param>
    public ModelUnavailableException(string message, TimeSpan? retryAfter, Exception? innerException = null)
        : base(message, innerException) => RetryAfter = retryAfter;

    /// <summary>How long to wait before trying again, when known.</summary>
    public TimeSpan? RetryAfter { get; }
}
