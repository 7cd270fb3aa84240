namespace AgentFunctions.Research.Models;

/// <summary>Why the model refused a request in a way that retrying will not fix.</summary>
public enum ModelRequestFailure
{
    /// <summary>The credentials were rejected (HTTP 401/403).</summary>
    Authentication,

    /// <summary>The provider's content filter blocked the prompt or the completion.</summary>
    ContentFilter,

    /// <summary>The request was malformed or named an unknown deployment (HTTP 400/404/422).</summary>
    InvalidRequest,
}

/// <summary>
/// A non-retryable model failure: the same request will fail the same way. The message names the endpoint
/// and deployment, never the credential.
/// </summary>
public sealed class ModelRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelRequestException()
        : this("The model rejected the request.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was rejected and why.</param>
    public ModelRequestException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was rejected and why.</param>
    /// <param name="innerException">The SDK error behind it.</param>
    public ModelRequestException(string message, Exception? innerException)
        : this(ModelRequestFailure.InvalidRequest, message, null, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="failure">The kind of failure.</param>
    /// <param name="message">What was rejected and why.</param>
    /// <param name="status">The HTTP status, when there was one.</param>
    /// <param name="innerException">The SDK error behind it.</param>
    public ModelRequestException(ModelRequestFailure failure, string message, int? status, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        Status = status;
    }

    /// <summary>The kind of failure.</summary>
    public ModelRequestFailure Failure { get; }

    /// <summary>The HTTP status, when there was one.</summary>
    public int? Status { get; }
}
