namespace AgentFunctions.Research.Orchestration;

/// <summary>
/// Thrown by an activity to say that retrying cannot succeed (bad input, a receiver that refused for good).
/// The pipeline's retry handlers never retry a failure caused by this exception or a subclass.
/// </summary>
public class NonRetryableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NonRetryableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What cannot be retried, and why.</param>
    public NonRetryableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What cannot be retried, and why.</param>
    /// <param name="innerException">The cause.</param>
    public NonRetryableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
