namespace AgentFunctions.Research.Publishing;

/// <summary>A callback POST failed in a way worth retrying later (network error, timeout, 408, 429, 5xx).</summary>
public sealed class CallbackDeliveryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CallbackDeliveryException()
        : this("The callback could not be delivered.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    public CallbackDeliveryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public CallbackDeliveryException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
