namespace AgentFunctions.Testing;

/// <summary>Runs a node script with the repository's npm tools (tools/node_modules) resolvable by require().</summary>
public static class NodeScript
{
    /// <summary>Runs <paramref name="scriptPath"/> with node, NODE_PATH set to tools/node_modules.</summary>
    /// <param name="scriptPath">The script.</param>
    /// <param name="environment">Extra environment variables for the script.</param>
    /// <param name="timeout">How long it may run (default 60 s).</param>
    /// <param name="cancellationToken">Cancels (and kills) it.</param>
    /// <param name="arguments">Arguments after the script path.</param>
    /// <returns>Exit code, stdout and stderr.</returns>
    /// <exception cref="TimeoutException">The script ran too long.</exception>
    public static async Task<ProcessResult> RunAsync(
        string scriptPath, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default, params string[] arguments)
    {
        await RepositoryRoot.EnsureToolsInstalledAsync(cancellationToken);
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["NODE_PATH"] = RepositoryRoot.NodeModules,
        };
        return await ProcessRunner.RunAsync(
            "node", [scriptPath, .. arguments], Path.GetDirectoryName(Path.GetFullPath(scriptPath))!, env,
            timeout ?? TimeSpan.FromSeconds(60), cancellationToken);
    }
}
