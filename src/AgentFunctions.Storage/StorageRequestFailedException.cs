namespace AgentFunctions.Storage;

/// <summary>
/// A storage request failed: the service answered with an error status, or no answer came within the retry
/// window (then <see cref="Status"/> is 0 and the inner exception says why).
/// </summary>
public sealed class StorageRequestFailedException : Exception
{
    /// <summary>Creates an exception.</summary>
    public StorageRequestFailedException()
        : this("A storage request failed.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public StorageRequestFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public StorageRequestFailedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception describing a failed request.</summary>
    /// <param name="message">The full message, naming method and resource.</param>
    /// <param name="status">The HTTP status, or 0 when no response arrived.</param>
    /// <param name="errorCode">The storage error code (e.g. <c>LeaseAlreadyPresent</c>), when known.</param>
    /// <param name="innerException">The cause, when no response arrived.</param>
    public StorageRequestFailedException(string message, int status, string? errorCode, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        ErrorCode = errorCode;
    }

    /// <summary>The HTTP status code; 0 when the request got no response (connection failure, timeout).</summary>
    public int Status { get; }

    /// <summary>The storage error code from <c>x-ms-error-code</c> or the error body, e.g. <c>QueueNotFound</c>.</summary>
    public string? ErrorCode { get; }

    /// <summary>
    /// For a failed table transaction, the zero-based index of the action that failed; otherwise null.
    /// </summary>
    public int? FailedActionIndex { get; init; }
}
