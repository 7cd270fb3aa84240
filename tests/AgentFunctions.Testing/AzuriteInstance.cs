using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AgentFunctions.Testing;

/// <summary>
/// An Azurite process (blob, queue and table) on free loopback ports with its own data folder; or, when
/// AGENTFUNCTIONS_AZURITE_CONNECTION is set, that already-running storage instead.
/// </summary>
/// <remarks>
/// <see cref="StopAsync"/> kills the process and <see cref="StartAsync"/> starts it again on the same ports and
/// folder, so fault tests can simulate an outage; with disk persistence the data survives it.
/// </remarks>
public sealed class AzuriteInstance : IAsyncDisposable
{
    /// <summary>The environment variable naming an external storage connection string to use instead.</summary>
    public const string ExternalConnectionVariable = "AGENTFUNCTIONS_AZURITE_CONNECTION";

    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly TimeSpan _startTimeout = TimeSpan.FromSeconds(60);

    private readonly bool _inMemory;
    private readonly bool _ownsLocation;
    private readonly StringBuilder _output = new();
    private readonly bool _perService;
    private readonly bool _queueOnDisk;
    private readonly bool _logRequests;
    private long _requestsLogged;
    private List<Process> _processes = [];

    private AzuriteInstance(string connectionString)
    {
        ConnectionString = connectionString;
        IsExternal = true;
        Location = string.Empty;
    }

    private AzuriteInstance(bool inMemory, string location, bool ownsLocation, bool perService, bool queueOnDisk, bool logRequests)
    {
        _inMemory = inMemory;
        _logRequests = logRequests;
        _perService = perService;
        _queueOnDisk = queueOnDisk;
        _ownsLocation = ownsLocation;
        Location = location;
        BlobPort = FreePort();
        QueuePort = FreePort();
        TablePort = FreePort();
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};"
            + $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};"
            + $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};"
            + $"TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";
    }

    /// <summary>The V8 options Azurite runs with (as tools/azurite.sh sets them): a 64 MB semi-space.</summary>
    public const string NodeOptions = "--max-semi-space-size=64";

    /// <summary>The connection string (devstoreaccount1, its well-known key, explicit endpoints).</summary>
    public string ConnectionString { get; }

    /// <summary>True when this wraps AGENTFUNCTIONS_AZURITE_CONNECTION rather than a process it started.</summary>
    public bool IsExternal { get; }

    /// <summary>The data folder (used for disk persistence and logs).</summary>
    public string Location { get; }

    /// <summary>The blob port.</summary>
    public int BlobPort { get; }

    /// <summary>The queue port.</summary>
    public int QueuePort { get; }

    /// <summary>The table port.</summary>
    public int TablePort { get; }

    /// <summary>
    /// Requests Azurite has answered since it started (every service, every client), counted from its access log;
    /// only when started with <c>logRequests</c>, zero otherwise.
    /// </summary>
    public long RequestsLogged => Interlocked.Read(ref _requestsLogged);

    /// <summary>Whether the process is running.</summary>
    public bool IsRunning => _processes.Count > 0 && _processes.TrueForAll(p => !p.HasExited);

    /// <summary>
    /// Starts an Azurite, or wraps the external one when AGENTFUNCTIONS_AZURITE_CONNECTION is set and
    /// <paramref name="allowExternal"/> is true.
    /// </summary>
    /// <param name="inMemory">Keep data in memory (fast; lost on stop) rather than on disk.</param>
    /// <param name="location">The data folder; null for a fresh temporary folder, deleted on dispose.</param>
    /// <param name="allowExternal">False for tests that must control the process (stop/start).</param>
    /// <param name="perService">
    /// Run blob, queue and table as three processes (azurite-blob, azurite-queue, azurite-table) rather than one:
    /// each is single-threaded, so split they use more than one core.
    /// </param>
    /// <param name="queueOnDisk">
    /// With <paramref name="inMemory"/>: three processes, the queue service on disk and tables and blobs in memory.
    /// In-memory Azurite garbage-collects each deleted queue message's extent one at a time, re-indexing all of
    /// them for each, which stalls it for seconds under sustained load; on disk, messages share extent files.
    /// </param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="logRequests">
    /// Run Azurite with its access log on (one line per request on stdout) and count the lines in
    /// <see cref="RequestsLogged"/>: a request count that covers every process talking to this Azurite.
    /// </param>
    /// <returns>The running instance.</returns>
    public static async Task<AzuriteInstance> StartNewAsync(
        bool inMemory = true, string? location = null, bool allowExternal = true, bool perService = false, bool queueOnDisk = false, CancellationToken cancellationToken = default, bool logRequests = false)
    {
        var external = Environment.GetEnvironmentVariable(ExternalConnectionVariable);
        if (allowExternal && !string.IsNullOrWhiteSpace(external))
        {
            return new AzuriteInstance(external);
        }

        var folder = location ?? Path.Combine(Path.GetTempPath(), "agentfunctions-azurite-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var instance = new AzuriteInstance(inMemory, folder, ownsLocation: location is null, perService || queueOnDisk, queueOnDisk, logRequests);
        try
        {
            await instance.StartAsync(cancellationToken);
            return instance;
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the process (again) on the same ports and folder and waits until every port accepts connections.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task.</returns>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfExternal();
        if (IsRunning)
        {
            return;
        }

        await RepositoryRoot.EnsureToolsInstalledAsync(cancellationToken);
        string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] blob = ["--blobHost", "127.0.0.1", "--blobPort", Port(BlobPort)];
        string[] queue = ["--queueHost", "127.0.0.1", "--queuePort", Port(QueuePort)];
        string[] table = ["--tableHost", "127.0.0.1", "--tablePort", Port(TablePort)];
        _processes = _perService
            ? [Launch("azurite-blob", blob, _inMemory), Launch("azurite-queue", queue, _inMemory && !_queueOnDisk), Launch("azurite-table", table, _inMemory)]
            : [Launch("azurite", [.. blob, .. queue, .. table], _inMemory)];

        var deadline = Stopwatch.StartNew();
        foreach (var port in new[] { BlobPort, QueuePort, TablePort })
        {
            while (!await AcceptsAsync(port, cancellationToken))
            {
                var exited = _processes.Find(p => p.HasExited);
                if (exited is not null || deadline.Elapsed > _startTimeout)
                {
                    var reason = exited is not null ? $"exited with code {exited.ExitCode}" : $"did not listen within {_startTimeout}";
                    await StopAsync();
                    throw new InvalidOperationException($"Azurite {reason} (port {port}, folder {Location}). Output:\n{Output}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
    }

    private Process Launch(string program, string[] serviceArguments, bool inMemory)
    {
        var info = new ProcessStartInfo(Path.Combine(RepositoryRoot.NodeModules, ".bin", program))
        {
            WorkingDirectory = Location,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] quiet = _logRequests ? [] : ["--silent"];
        foreach (var argument in serviceArguments.Concat(["--skipApiVersionCheck", "--loose", "--disableTelemetry", .. quiet]))
        {
            info.ArgumentList.Add(argument);
        }

        // Fewer scavenges: Azurite allocates a lot per request, and its heap holds every row and message.
        info.Environment["NODE_OPTIONS"] = $"{Environment.GetEnvironmentVariable("NODE_OPTIONS")} {NodeOptions}".Trim();

        // Azurite refuses --location with --inMemoryPersistence; in memory, the folder is only its working directory.
        if (inMemory)
        {
            info.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            info.ArgumentList.Add("--location");
            info.ArgumentList.Add(Location);
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// Stops the process: by default abruptly (SIGKILL, as a crash would), or gracefully (SIGINT, letting Azurite
    /// flush its metadata; it autosaves only every ~5 s, so a kill can lose the last few seconds of writes).
    /// </summary>
    /// <param name="graceful">Ask Azurite to shut down cleanly first (up to 10 s), then kill.</param>
    /// <returns>A task.</returns>
    public async Task StopAsync(bool graceful = false)
    {
        ThrowIfExternal();
        var processes = _processes;
        _processes = [];
        await Task.WhenAll(processes.Select(p => StopProcessAsync(p, graceful)));
    }

    private async Task StopProcessAsync(Process process, bool graceful)
    {
        if (graceful && !process.HasExited)
        {
            await ProcessRunner.RunAsync(
                "kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], Location, null, TimeSpan.FromSeconds(10));
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                // Falls through to the kill below.
            }
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync(CancellationToken.None);
        process.Dispose();
    }

    /// <summary>Stops the process and deletes the temporary folder it created.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        if (IsExternal)
        {
            return;
        }

        await StopAsync();
        if (_ownsLocation)
        {
            try
            {
                Directory.Delete(Location, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless; failing the test run over it would not be.
            }
        }
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        // An access-log line: 127.0.0.1 - - [date] "GET /devstoreaccount1/... HTTP/1.1" 200 -
        if (_logRequests && line.Contains(" HTTP/1.1\" ", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _requestsLogged);
            return;
        }

        lock (_output)
        {
            // Keep the start of the log (where startup errors are) without growing without bound.
            if (_output.Length < 64 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }

    private void ThrowIfExternal()
    {
        if (IsExternal)
        {
            throw new InvalidOperationException(
                $"This Azurite comes from {ExternalConnectionVariable}; it cannot be started or stopped from a test.");
        }
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
