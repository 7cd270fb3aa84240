using System.Diagnostics;

namespace AgentFunctions.Infra.Tests;

/// <summary>The result of one run of the bicep CLI.</summary>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="StandardOutput">Everything written to stdout.</param>
/// <param name="StandardError">Everything written to stderr, where bicep writes its diagnostics.</param>
internal sealed record BicepResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Diagnostic lines (errors, warnings, infos) from either stream.</summary>
    public IReadOnlyList<string> Diagnostics =>
        (StandardError + "\n" + StandardOutput)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.Contains(" : Error ", StringComparison.Ordinal)
                || line.Contains(" : Warning ", StringComparison.Ordinal)
                || line.Contains(" : Info ", StringComparison.Ordinal))
            .ToList();

    /// <inheritdoc />
    public override string ToString() => $"exit {ExitCode}\nstderr:\n{StandardError}\nstdout:\n{StandardOutput}";
}

/// <summary>Runs the bicep binary from the NuGet package, as a real process.</summary>
internal static class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>Runs <c>bicep</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    public static async Task<BicepResult> RunAsync(string workingDirectory, params string[] arguments)
    {
        var bicep = EnsureExecutable(TestAssembly.BicepPath);
        var start = new ProcessStartInfo(bicep)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{bicep}'.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout}.");
        }

        return new BicepResult(process.ExitCode, await stdout, await stderr);
    }

    // NuGet does not promise to keep the executable bit when it extracts a package, so set it if it is missing.
    private static string EnsureExecutable(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The bicep CLI is not at '{path}'. It comes from the Azure.Bicep.CommandLine.linux-x64 package: run dotnet restore.", path);
        }

        if (OperatingSystem.IsWindows())
        {
            return path;
        }

        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | execute);
        }

        return path;
    }
}
