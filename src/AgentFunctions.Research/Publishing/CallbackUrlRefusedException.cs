using AgentFunctions.Research.Orchestration;
using Microsoft.DurableTask;

namespace AgentFunctions.Research.Publishing;

/// <summary>
/// A callback URL, or an address its host resolved to, is refused by the <see cref="CallbackUrlPolicy"/>. Never retried:
/// the same URL would be refused again.
/// </summary>
public sealed class CallbackUrlRefusedException : NonRetryableException
{
    /// <summary>Creates the exception.</summary>
    public CallbackUrlRefusedException()
        : this("The callback URL is refused by the outbound URL policy.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was refused and why, naming the setting that would allow it when there is one.</param>
    public CallbackUrlRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was refused and why.</param>
    /// <param name="innerException">The cause.</param>
    public CallbackUrlRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
