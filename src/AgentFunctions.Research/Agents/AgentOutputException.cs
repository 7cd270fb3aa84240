using AgentFunctions.Research.Contracts;

namespace AgentFunctions.Research.Agents;

/// <summary>
/// The model kept replying with output that breaks the agent's contract, through every repair attempt.
/// Non-retryable: the same prompt will fail the same way; the orchestrator should fail or degrade the step.
/// </summary>
public sealed class AgentOutputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AgentOutputException()
        : this("unknown", "no reply", 0, Usage.None)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public AgentOutputException(string message)
        : base(message)
    {
        Agent = "unknown";
        LastValidationError = message;
        Usage = Usage.None;
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public AgentOutputException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Agent = "unknown";
        LastValidationError = message;
        Usage = Usage.None;
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="agent">The agent whose output was invalid.</param>
    /// <param name="lastValidationError">Why the last reply was rejected.</param>
    /// <param name="attempts">Model calls made.</param>
    /// <param name="usage">Tokens spent on the failed attempts, so budgets still account for them.</param>
    public AgentOutputException(string agent, string lastValidationError, int attempts, Usage usage)
        : base($"Agent '{agent}' returned invalid output {attempts} time(s); last error: {lastValidationError}")
    {
        Agent = agent;
        LastValidationError = lastValidationError;
        Attempts = attempts;
        Usage = usage;
    }

    /// <summary>The agent whose output was invalid.</summary>
    public string Agent { get; }

    /// <summary>Why the last reply was rejected.</summary>
    public string LastValidationError { get; }

    /// <summary>Model calls made.</summary>
    public int Attempts { get; }

    /// <summary>Tokens spent on the failed attempts.</summary>
    public Usage Usage { get; }
}
