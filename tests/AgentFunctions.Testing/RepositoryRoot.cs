namespace AgentFunctions.Testing;

/// <summary>Finds the repository (the folder holding AgentFunctions.sln) and makes sure its npm tools are installed.</summary>
public static class RepositoryRoot
{
    private static readonly SemaphoreSlim _installGate = new(1, 1);

    /// <summary>The repository root, found by walking up from the test binaries to AgentFunctions.sln.</summary>
    public static string Path { get; } = Find();

    /// <summary>tools/node_modules under the root.</summary>
    public static string NodeModules => System.IO.Path.Combine(Path, "tools", "node_modules");

    /// <summary>
    /// Runs tools/install.sh once when tools/node_modules lacks Azurite, so `dotnet test` works on a fresh
    /// clone. A lock file serializes test assemblies that start at the same time.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task.</returns>
    public static async Task EnsureToolsInstalledAsync(CancellationToken cancellationToken = default)
    {
        var azurite = System.IO.Path.Combine(NodeModules, ".bin", "azurite");
        if (File.Exists(azurite))
        {
            return;
        }

        await _installGate.WaitAsync(cancellationToken);
        try
        {
            await using var crossProcessLock = await AcquireLockAsync(System.IO.Path.Combine(Path, "tools", ".install.lock"), cancellationToken);
            if (File.Exists(azurite))
            {
                return;
            }

            var script = System.IO.Path.Combine(Path, "tools", "install.sh");
            var result = await ProcessRunner.RunAsync("bash", [script], workingDirectory: Path, environment: null, TimeSpan.FromMinutes(10), cancellationToken);
            if (result.ExitCode != 0 || !File.Exists(azurite))
            {
                throw new InvalidOperationException(
                    $"tools/install.sh failed (exit {result.ExitCode}) and Azurite is still missing at {azurite}.\n{result.StandardError}\n{result.StandardOutput}");
            }
        }
        finally
        {
            _installGate.Release();
        }
    }

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
        }
    }

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "AgentFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No AgentFunctions.sln above {AppContext.BaseDirectory}; cannot find the repository root.");
    }
}
