using System.Diagnostics;
using System.Text;

namespace AgentFunctions.Testing;

/// <summary>The outcome of a finished process.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="StandardOutput">Everything written to stdout.</param>
/// <param name="StandardError">Everything written to stderr.</param>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>Runs a process to completion with a timeout, capturing its output.</summary>
public static class ProcessRunner
{
    /// <summary>Runs <paramref name="fileName"/> and waits for it; kills its whole tree on timeout.</summary>
    /// <param name="fileName">The executable.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="workingDirectory">Its working directory.</param>
    /// <param name="environment">Extra environment variables.</param>
    /// <param name="timeout">How long it may run.</param>
    /// <param name="cancellationToken">Cancels (and kills) it.</param>
    /// <returns>Exit code and output.</returns>
    /// <exception cref="TimeoutException">It ran longer than <paramref name="timeout"/>; the message holds its output so far.</exception>
    public static async Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment,
        TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        using var process = new Process { StartInfo = info };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException(
                $"{fileName} {string.Join(' ', info.ArgumentList)} did not finish within {timeout}.\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }

        // WaitForExitAsync returns after the output streams reach EOF, so the buffers are complete here.
        return new ProcessResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }
}
