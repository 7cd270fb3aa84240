namespace AgentFunctions.Cli;

/// <summary>What agentfn's exit code means; docs/cli.md lists the same.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>The host answered with an error (4xx/5xx), or the run failed or was terminated.</summary>
    public const int Refused = 1;

    /// <summary>The command line or an input file is wrong; nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>The host or the storage account could not be reached, or following a run timed out.</summary>
    public const int Unreachable = 3;
}
