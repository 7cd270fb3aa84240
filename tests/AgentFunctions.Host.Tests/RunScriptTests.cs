using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using AgentFunctions.Testing;

namespace AgentFunctions.Host.Tests;

/// <summary>
/// ./run.sh as a user runs it: real Azurite, the real host, on free ports, stopped the way a terminal's Ctrl+C
/// stops it (SIGINT to the script's whole process group). Only the health route and process lifetimes are
/// observed, so the test holds whatever engine the host runs.
/// </summary>
public sealed partial class RunScriptTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task RunScript_CtrlC_StopsHostThenAzuriteWithinSecondsWithoutStackTrace()
    {
        var ports = new Ports();
        await using var script = RunScript.Start(ports);
        await script.WaitHealthyAsync(ports.Host);
        var hostPid = script.Pid("host");
        var azuritePid = script.Pid("Azurite");

        var stopwatch = Stopwatch.StartNew();
        await script.InterruptAsync();
        var exited = await script.WaitForExitAsync(TimeSpan.FromSeconds(15));
        var processesGone = await WaitUntilAsync(() => !ProcessExists(hostPid) && !ProcessExists(azuritePid), TimeSpan.FromSeconds(5));
        stopwatch.Stop();

        var output = script.Output;
        Assert.True(exited, $"run.sh did not exit within 15 s of SIGINT. Output:\n{output}");
        Assert.True(processesGone, $"host alive: {ProcessExists(hostPid)}, Azurite alive: {ProcessExists(azuritePid)}. Output:\n{output}");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"Stopping took {stopwatch.Elapsed}. Output:\n{output}");
        Assert.Equal(130, script.ExitCode);
        Assert.True(
            output.IndexOf("stopping the host", StringComparison.Ordinal) < output.IndexOf("stopping Azurite", StringComparison.Ordinal),
            $"The host must be stopped before Azurite. Output:\n{output}");
        Assert.Contains("Durable Task engine stopped", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(StackFrame(), output);
        Assert.False(Listening(ports.Host) || Listening(ports.Blob) || Listening(ports.Queue) || Listening(ports.Table), "A port is still in use.");
    }

    [Fact]
    public async Task RunScript_ForeignListenerOnQueuePort_RefusesNamingThePortAndTheWayOut()
    {
        var ports = new Ports();
        using var foreign = new TcpListener(IPAddress.Loopback, ports.Queue);
        foreign.Start();
        await using var script = RunScript.Start(ports);

        var exited = await script.WaitForExitAsync(TimeSpan.FromSeconds(60));

        var output = script.Output;
        Assert.True(exited, $"run.sh did not exit. Output:\n{output}");
        Assert.Equal(1, script.ExitCode);
        Assert.Contains($"storage ports already in use (queue 127.0.0.1:{ports.Queue})", output, StringComparison.Ordinal);
        Assert.Contains("AGENTFUNCTIONS_REUSE_STORAGE=1", output, StringComparison.Ordinal);
        Assert.DoesNotContain("starting Azurite", output, StringComparison.Ordinal);
        Assert.False(Listening(ports.Blob), "Azurite was started anyway.");
        Assert.False(Listening(ports.Host), "The host was started anyway.");
    }

    [Theory]
    [InlineData("AGENTFUNCTIONS_PORT", "http")]
    [InlineData("AZURITE_QUEUE_PORT", "70000")]
    public async Task RunScript_BadPortSetting_RefusesNamingIt(string variable, string value)
    {
        var ports = new Ports();
        await using var script = RunScript.Start(ports, new Dictionary<string, string> { [variable] = value });

        var exited = await script.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exited);
        Assert.Equal(1, script.ExitCode);
        Assert.Contains($"{variable} is '{value}'; it must be a port number", script.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\s+at \S+.*\(.*\)", RegexOptions.Multiline)]
    private static partial Regex StackFrame();

    private static bool ProcessExists(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    private sealed class Ports
    {
        public int Host { get; } = FreePort();

        public int Blob { get; } = FreePort();

        public int Queue { get; } = FreePort();

        public int Table { get; } = FreePort();

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }

    /// <summary>run.sh in a session of its own (as a terminal runs a foreground job), output captured.</summary>
    private sealed partial class RunScript : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly string _data;

        private RunScript(Process process, string data)
        {
            _process = process;
            _data = data;
        }

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

        public int ExitCode => _process.ExitCode;

        public static RunScript Start(Ports ports, IDictionary<string, string>? overrides = null)
        {
            var data = Directory.CreateTempSubdirectory("agentfunctions-runsh-").FullName;

            // setsid: the script leads its own process group, so a SIGINT to the group is what Ctrl+C sends.
            var start = new ProcessStartInfo("setsid")
            {
                WorkingDirectory = RepositoryRoot.Path,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("bash");
            start.ArgumentList.Add(Path.Combine(RepositoryRoot.Path, "run.sh"));
            foreach (var key in start.Environment.Keys.ToList())
            {
                if (key.StartsWith("AgentFunctions", StringComparison.OrdinalIgnoreCase)
                    || key.StartsWith("Azurite", StringComparison.OrdinalIgnoreCase)
                    || key.StartsWith("AzureWebJobs", StringComparison.OrdinalIgnoreCase)
                    || key.StartsWith("AzureFunctionsJobHost", StringComparison.OrdinalIgnoreCase)
                    || key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase))
                {
                    start.Environment.Remove(key);
                }
            }

            start.Environment["AGENTFUNCTIONS_PORT"] = ports.Host.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["AZURITE_BLOB_PORT"] = ports.Blob.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["AZURITE_QUEUE_PORT"] = ports.Queue.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["AZURITE_TABLE_PORT"] = ports.Table.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["AGENTFUNCTIONS_DATA_DIR"] = data;

            // The test project's build already built the host in this configuration.
            start.Environment["AGENTFUNCTIONS_NO_BUILD"] = "1";
#if DEBUG
            start.Environment["AGENTFUNCTIONS_CONFIGURATION"] = "Debug";
#else
            start.Environment["AGENTFUNCTIONS_CONFIGURATION"] = "Release";
#endif
            start.Environment["DOTNET_NOLOGO"] = "1";
            foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
            {
                start.Environment[key] = value;
            }

            var process = new Process { StartInfo = start };
            var script = new RunScript(process, data);
            process.OutputDataReceived += (_, e) => script.Append(e.Data);
            process.ErrorDataReceived += (_, e) => script.Append(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return script;
        }

        public async Task WaitHealthyAsync(int port)
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow + StartTimeout;
            while (DateTime.UtcNow < deadline)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"run.sh exited with {_process.ExitCode} before the host was healthy. Output:\n{Output}");
                }

                try
                {
                    using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet.
                }

                await Task.Delay(200);
            }

            throw new TimeoutException($"The host did not become healthy within {StartTimeout}. Output:\n{Output}");
        }

        /// <summary>The pid run.sh printed for "host" or "Azurite".</summary>
        public int Pid(string name)
        {
            var match = Regex.Match(Output, $@"run\.sh: {name} pid (\d+)");
            return match.Success
                ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"run.sh did not print the {name} pid. Output:\n{Output}");
        }

        /// <summary>SIGINT to the script's process group, as a terminal sends it on Ctrl+C.</summary>
        public async Task InterruptAsync()
        {
            var result = await ProcessRunner.RunAsync("kill", ["-INT", "--", $"-{_process.Id}"], RepositoryRoot.Path, null, TimeSpan.FromSeconds(10));
            Assert.True(result.ExitCode == 0, $"kill failed: {result.StandardError}");
        }

        public async Task<bool> WaitForExitAsync(TimeSpan limit)
        {
            using var timeout = new CancellationTokenSource(limit);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                // A failed test must not leave the script's host or Azurite behind: TERM lets run.sh stop both.
                _ = await ProcessRunner.RunAsync("kill", ["-TERM", $"{_process.Id}"], RepositoryRoot.Path, null, TimeSpan.FromSeconds(10));
                if (!await WaitForExitAsync(TimeSpan.FromSeconds(20)))
                {
                    _process.Kill(entireProcessTree: true);
                }
            }

            _process.Dispose();
            try
            {
                Directory.Delete(_data, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
