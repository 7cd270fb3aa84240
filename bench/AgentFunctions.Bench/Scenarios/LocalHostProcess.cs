using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;

namespace AgentFunctions.Bench.Scenarios;

/// <summary>
/// The local host's Release build output run as its own process (`dotnet AgentFunctions.Host.dll`), in a
/// temporary content root holding the repository's host.json and a generated local.settings.json, on a free
/// loopback port. Killed, with its process tree, on dispose.
/// </summary>
public sealed class LocalHostProcess : IAsyncDisposable
{
    private const int KeptOutputLines = 2000;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly string _contentRoot;
    private readonly Queue<string> _tail = new();

    private LocalHostProcess(Process process, string contentRoot, Uri baseAddress)
    {
        _process = process;
        _contentRoot = contentRoot;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    /// <summary>The last lines the host wrote, for error messages.</summary>
    public string OutputTail
    {
        get
        {
            lock (_tail)
            {
                return string.Join(Environment.NewLine, _tail);
            }
        }
    }

    /// <summary>Starts the host with <paramref name="values"/> as its local.settings.json Values and waits for /healthz.</summary>
    public static async Task<LocalHostProcess> StartAsync(string repoRoot, IReadOnlyDictionary<string, string> values)
    {
        var dll = HostDllPath();
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var root = Directory.CreateTempSubdirectory("agentfunctions-hostbench-").FullName;

        // The repository's host.json as users run it (concurrency limits, logging levels), not a tuned copy.
        File.Copy(Path.Combine(repoRoot, "host.json"), Path.Combine(root, "host.json"));
        await File.WriteAllTextAsync(Path.Combine(root, "local.settings.json"), JsonSerializer.Serialize(new { IsEncrypted = false, Values = values }));

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));

        // Only this run's settings: nothing the shell running the bench happens to export.
        foreach (var key in start.Environment.Keys.ToList())
        {
            if (key.StartsWith("AgentFunctions", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("AzureFunctionsJobHost", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("AzureWebJobs", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("AZURE_", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("OTEL_", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("APPLICATIONINSIGHTS", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(key);
            }
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        var process = new Process { StartInfo = start };
        var host = new LocalHostProcess(process, root, baseAddress);
        process.OutputDataReceived += (_, e) => host.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => host.Keep(e.Data);
        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await host.WaitHealthyAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await _process.WaitForExitAsync(timeout.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started: nothing to kill.
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_contentRoot, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }

    private static string HostDllPath()
    {
        var dll = typeof(LocalHostProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "HostDllPath").Value!;
        return File.Exists(dll)
            ? dll
            : throw new FileNotFoundException($"The host build output '{dll}' is missing; run `dotnet build -c Release src/AgentFunctions.Host` (the bench's project reference normally builds it).", dll);
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > KeptOutputLines)
            {
                _tail.Dequeue();
            }
        }
    }

    private async Task WaitHealthyAsync()
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The host exited with code {_process.ExitCode} during startup. Output:\n{OutputTail}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The host did not answer /healthz with 200 within {StartTimeout}. Output:\n{OutputTail}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
