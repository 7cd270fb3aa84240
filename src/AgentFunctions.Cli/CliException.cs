namespace AgentFunctions.Cli;

/// <summary>A failure to report in one line and end with <see cref="ExitCode"/>; no stack trace is shown.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    /// <summary>The process exit code.</summary>
    public int ExitCode { get; } = exitCode;
}
