using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json;
using AgentFunctions.Testing;

namespace AgentFunctions.Host.Tests;

/// <summary>
/// The real host, started as `dotnet AgentFunctions.Host.dll` in a temporary content root with its own
/// host.json and local.settings.json, on a free loopback port; killed and cleaned up on dispose.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    public const string WebhookSecret = "webhook-secret-current";
    public const string OldWebhookSecret = "webhook-secret-previous";
    public const string LinkSecret = "link-secret-for-tests-0123456789";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _output;
    private readonly string _contentRoot;

    private HostProcess(Process process, StringBuilder output, string contentRoot, Uri baseAddress)
    {
        _process = process;
        _output = output;
        _contentRoot = contentRoot;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Settings every test host gets unless overridden: webhook secrets (two, for rotation), a link secret, and the
    /// test run's shared Azurite as <c>AzureWebJobsStorage</c> (each host on a task hub of its own, set in
    /// <see cref="Launch"/> unless the test names one).
    /// </summary>
    public static Dictionary<string, string> DefaultValues() => new()
    {
        ["AgentFunctions__Review__WebhookSecret"] = $"{WebhookSecret},{OldWebhookSecret}",
        ["AgentFunctions__Review__LinkSecret"] = LinkSecret,
        ["AzureWebJobsStorage"] = SharedAzurite.GetConnectionStringAsync().GetAwaiter().GetResult(),
    };

    public static string DefaultHostJson => """
        {
          "version": "2.0",
          "logging": { "logLevel": { "default": "Information", "Microsoft.AspNetCore": "Warning" } },
          "extensions": {
            "durableTask": {
              "hubName": "HostTestsHub", "maxConcurrentActivityFunctions": 4, "maxConcurrentOrchestratorFunctions": 50,
              "storageProvider": { "partitionCount": 2 }
            },
            "queues": { "maxDequeueCount": 5, "messageEncoding": "base64", "visibilityTimeout": "00:00:05" }
          }
        }
        """;

    /// <summary>Starts a host and waits until /healthz answers 200.</summary>
    public static async Task<HostProcess> StartAsync(
        IDictionary<string, string>? values = null, string? hostJson = null, IDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var (process, output, root) = Launch(values ?? DefaultValues(), hostJson ?? DefaultHostJson, environment, ["--urls", baseAddress.ToString().TrimEnd('/')], localHttpPort: null);
        var host = new HostProcess(process, output, root, baseAddress);
        await host.WaitHealthyAsync();
        return host;
    }

    /// <summary>Starts a host without --urls, on local.settings.json Host.LocalHttpPort.</summary>
    public static async Task<HostProcess> StartOnLocalHttpPortAsync()
    {
        var port = FreePort();
        var (process, output, root) = Launch(DefaultValues(), DefaultHostJson, null, [], localHttpPort: port);
        var host = new HostProcess(process, output, root, new Uri($"http://127.0.0.1:{port}"));
        await host.WaitHealthyAsync();
        return host;
    }

    /// <summary>Runs a host that is expected to refuse to start; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunExpectingExitAsync(
        IDictionary<string, string>? values = null, string? hostJson = null, IDictionary<string, string>? environment = null, string[]? args = null)
    {
        var port = FreePort();
        var (process, output, root) = Launch(values ?? DefaultValues(), hostJson ?? DefaultHostJson, environment, args ?? ["--urls", $"http://127.0.0.1:{port}"], localHttpPort: null);
        try
        {
            using var timeout = new CancellationTokenSource(StartTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"The host did not exit within {StartTimeout}. Output:\n{output}");
            }

            process.WaitForExit();
            lock (output)
            {
                return (process.ExitCode, output.ToString());
            }
        }
        finally
        {
            process.Dispose();
            TryDelete(root);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process.Dispose();
        TryDelete(_contentRoot);
    }

    private static (Process Process, StringBuilder Output, string ContentRoot) Launch(
        IDictionary<string, string> values, string hostJson, IDictionary<string, string>? environment, string[] args, int? localHttpPort)
    {
        var dll = typeof(HostProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "HostDllPath").Value!;
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The host build output is missing; build src/AgentFunctions.Host first.", dll);
        }

        var root = Directory.CreateTempSubdirectory("agentfunctions-host-").FullName;
        File.WriteAllText(Path.Combine(root, "host.json"), hostJson);
        var settings = new Dictionary<string, object> { ["IsEncrypted"] = false, ["Values"] = values };
        if (localHttpPort is not null)
        {
            settings["Host"] = new Dictionary<string, object> { ["LocalHttpPort"] = localHttpPort.Value };
        }

        File.WriteAllText(Path.Combine(root, "local.settings.json"), JsonSerializer.Serialize(settings));

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The host must see only this test's settings, not whatever the machine running the tests exports.
        foreach (var key in start.Environment.Keys.ToList())
        {
            if (key.StartsWith("AgentFunctions", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("AzureFunctionsJobHost", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("OTEL_", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("APPLICATIONINSIGHTS", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(key);
            }
        }

        start.Environment["DOTNET_NOLOGO"] = "1";

        // Hosts share one Azurite: each gets a task hub of its own unless the test chose one.
        if (!hostJson.Contains("\"hubName\"", StringComparison.Ordinal) || hostJson.Contains("\"HostTestsHub\"", StringComparison.Ordinal))
        {
            start.Environment["AzureFunctionsJobHost__extensions__durableTask__hubName"] = SharedAzurite.UniqueHubName("HostTests");
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output, root);
    }

    private async Task WaitHealthyAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The host exited with code {_process.ExitCode} during startup. Output:\n{Output}");
            }

            try
            {
                using var response = await Client.GetAsync(new Uri("/healthz", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        await DisposeAsync();
        throw new TimeoutException($"The host did not become healthy within {StartTimeout}. Output:\n{Output}");
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
