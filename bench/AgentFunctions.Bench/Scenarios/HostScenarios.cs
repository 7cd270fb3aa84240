using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AgentFunctions.Host.Approvals;
using AgentFunctions.Testing;

namespace AgentFunctions.Bench.Scenarios;

/// <summary>
/// Load on the real local host over loopback HTTP, with the Azure Storage backend on in-memory Azurite.
/// H1: an open-loop submission rate (requests leave on a clock, whatever the host answers), then a bounded
/// wait until every accepted run has finished. H2: signed approval webhook -> management API says Completed.
/// </summary>
public static partial class HostScenarios
{
    private const string Management = "/runtime/webhooks/durabletask";
    private const string ContinuationHeader = "x-ms-continuation-token";
    private const string WebhookSecret = "hostbench-webhook-secret";
    private const string NotTerminal = "Pending,Running,Suspended";
    private const string Terminal = "Completed,Failed,Terminated";
    private const int PageSize = 1000;
    private const int MaxPages = 1000;
    private const int WarmupRuns = 10;
    private static readonly TimeSpan WarmupLimit = TimeSpan.FromMinutes(6);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DrainPollEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ApprovalWaitLimit = TimeSpan.FromMinutes(5);
    // Durable Functions' default polling backs an idle control queue off to 30 s: an approval may wait that long.
    private static readonly TimeSpan CompletionWaitLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SubmitTimeout = TimeSpan.FromSeconds(30);

    // Listing thousands of instances while the host is saturated can take long; a slow page is data, not a failure.
    private static readonly TimeSpan ListTimeout = TimeSpan.FromMinutes(2);

    public static async Task<IReadOnlyList<BenchResult>> RunAsync(ISet<string> wanted, HostBenchOptions options, IReadOnlyList<string> profiles, string repoRoot)
    {
        var questions = LoadQuestions(repoRoot);
        var results = new List<BenchResult>
        {
            new("H host load", "machine load average (1 min) at start", BenchRunner.LoadAverage(), "", "-", null, $"{Environment.ProcessorCount} cores, shared"),
        };

        // Disk persistence by default, as the README's main command (tools/azurite.sh) runs Azurite; BENCH_AZURITE_DISK=0
        // for in-memory Azurite, whose extent store garbage-collects one queue message at a time and stalls under this load.
        // BENCH_AZURITE_DISK=queue: three processes, the queue service on disk, tables and blobs in memory.
        // Azurite's access log is on: its line count is the storage request count of every process on it.
        var disk = Environment.GetEnvironmentVariable("BENCH_AZURITE_DISK");
        var inMemory = disk is "0" or "queue";
        var queueOnDisk = disk == "queue";
        var split = Environment.GetEnvironmentVariable("BENCH_AZURITE_SPLIT") == "1" || queueOnDisk;
        var external = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(AzuriteInstance.ExternalConnectionVariable));
        Console.WriteLine(external
            ? $"H: using the Azurite of {AzuriteInstance.ExternalConnectionVariable} (no request counts)"
            : $"H: starting Azurite ({(queueOnDisk ? "queue on disk, tables and blobs in memory" : inMemory ? "in memory" : "disk persistence")}{(split ? ", one process per service" : "")}; NODE_OPTIONS {AzuriteInstance.NodeOptions})");
        await using var azurite = await AzuriteInstance.StartNewAsync(inMemory: inMemory, perService: split, queueOnDisk: queueOnDisk, logRequests: true);
        foreach (var profile in profiles)
        {
            var overrides = HostProfile(profile);
            var suffix = char.ToUpperInvariant(profile[0]) + profile[1..];
            if (wanted.Contains("h1"))
            {
                results.AddRange(Tag(profile, await WithHostAsync(repoRoot, azurite, "HostBenchH1" + suffix, overrides, client => SubmitLoadAsync(client, questions, options))));
            }

            if (wanted.Contains("h2"))
            {
                // A host and task hub of its own: runs H1 left unfinished must not queue ahead of these.
                results.AddRange(Tag(profile, await WithHostAsync(repoRoot, azurite, "HostBenchH2" + suffix, overrides, client => ApprovalLatencyAsync(client, questions, options.H2Runs))));
            }

            if (wanted.Contains("h3"))
            {
                results.AddRange(Tag(profile, await WithHostAsync(repoRoot, azurite, "HostBenchH3" + suffix, overrides, client => ResearchLatencyAsync(client, questions, options.H3Runs, azurite))));
            }

            if (wanted.Contains("h4"))
            {
                results.AddRange(Tag(profile, await KillRestartAsync(repoRoot, azurite, "HostBenchH4" + suffix, overrides, questions, options)));
            }
        }

        return results;
    }

    /// <summary>
    /// The host.json settings of a profile, as local.settings.json values. <c>local</c>: none (the host's local
    /// defaults). <c>default</c>: Durable Functions' defaults for what the local host changes: idle queues polled at
    /// most every 30 s, messages of a crashed worker hidden 5 minutes, extended sessions off. (The partition lease is
    /// not a host.json setting: 8 s in both.) BENCH_HOST_SETTINGS ("key=value;...") comes on top of either.
    /// </summary>
    private static Dictionary<string, string> HostProfile(string profile)
    {
        const string DurableTask = "AzureFunctionsJobHost__extensions__durableTask__";
        var values = profile switch
        {
            "local" => new Dictionary<string, string>(),
            "default" => new Dictionary<string, string>
            {
                [DurableTask + "storageProvider__maxQueuePollingInterval"] = "00:00:30",
                [DurableTask + "storageProvider__controlQueueVisibilityTimeout"] = "00:05:00",
                [DurableTask + "storageProvider__workItemQueueVisibilityTimeout"] = "00:05:00",
                [DurableTask + "extendedSessionsEnabled"] = "false",
            },
            _ => throw new ArgumentException($"Unknown host profile '{profile}': use default or local."),
        };
        foreach (var (key, value) in HostOverrides())
        {
            values[key] = value;
        }

        return values;
    }

    private static IEnumerable<BenchResult> Tag(string profile, IEnumerable<BenchResult> results) =>
        results.Select(r => r with { Scenario = $"{r.Scenario} [{profile}]" });

    /// <summary>Extra host settings from BENCH_HOST_SETTINGS ("key=value;key=value"), for trying a configuration.</summary>
    private static IEnumerable<(string Key, string Value)> HostOverrides() =>
        (Environment.GetEnvironmentVariable("BENCH_HOST_SETTINGS") ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .Select(parts => (parts[0], parts[1]));

    /// <summary>The local.settings.json values of a bench host on <paramref name="hubName"/>.</summary>
    private static Dictionary<string, string> HostValues(AzuriteInstance azurite, string hubName, IReadOnlyDictionary<string, string> overrides)
    {
        var values = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["AzureFunctionsJobHost__extensions__durableTask__hubName"] = hubName,
            ["AgentFunctions__Review__WebhookSecret"] = WebhookSecret,
            ["AgentFunctions__Review__LinkSecret"] = "hostbench-link-secret-0123456789",
        };
        foreach (var (key, value) in overrides)
        {
            values[key] = value;
        }

        return values;
    }

    /// <summary>Starts a host on its own task hub, warms it up, runs <paramref name="scenario"/>, and kills the host.</summary>
    private static async Task<IReadOnlyList<BenchResult>> WithHostAsync(
        string repoRoot, AzuriteInstance azurite, string hubName, IReadOnlyDictionary<string, string> overrides, Func<HttpClient, Task<IReadOnlyList<BenchResult>>> scenario)
    {
        await using var host = await LocalHostProcess.StartAsync(repoRoot, HostValues(azurite, hubName, overrides));
        Console.WriteLine($"H: host pid {host.ProcessId} on {host.BaseAddress}, task hub {hubName} (Release build); {string.Join(", ", overrides.Select(o => $"{o.Key}={o.Value}"))}");

        // The pool is bounded so an overloaded host makes requests queue here (and show in latency) rather
        // than open thousands of sockets.
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(15) };
        using var client = new HttpClient(handler) { BaseAddress = host.BaseAddress, Timeout = ListTimeout };
        try
        {
            await WarmUpAsync(client, LoadQuestions(repoRoot));
            return await scenario(client);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or InvalidOperationException or JsonException or TaskCanceledException)
        {
            throw new InvalidOperationException($"The host scenario on {hubName} failed: {ex.Message}\nLast host output:\n{host.OutputTail}", ex);
        }
        finally
        {
            // The host's last lines, for reading a bad run afterwards (results are git-ignored).
            var log = Path.Combine(repoRoot, "bench", "results", $"host-{hubName}.log");
            Directory.CreateDirectory(Path.GetDirectoryName(log)!);
            await File.WriteAllTextAsync(log, host.OutputTail);
        }
    }

    /// <summary>A few runs end to end first, so the figures are not the JIT's and the pipeline's first-call costs.</summary>
    private static async Task WarmUpAsync(HttpClient client, IReadOnlyList<string> questions)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < WarmupRuns; i++)
        {
            var (status, id) = await SubmitAsync(client, $"{questions[i % questions.Count]} (warm-up {i})", requireApproval: false);
            if (status != HttpStatusCode.Accepted || id is null)
            {
                throw new InvalidOperationException($"Warm-up submission answered {(int)status}, not 202.");
            }

            ids.Add(id);
        }

        // Minutes, not seconds: with Durable Functions' default polling (idle queues read every 30 s at most) a run's
        // steps can each wait that long on a loaded machine.
        if (await CountUnfinishedAsync(client, ids, WarmupLimit, TimeSpan.FromMilliseconds(250)) > 0)
        {
            throw new TimeoutException($"The {WarmupRuns} warm-up runs did not all finish within {WarmupLimit}.");
        }

        Console.WriteLine($"H: {WarmupRuns} warm-up runs done");
    }

    /// <summary>Polls the status listing until none of <paramref name="ids"/> is pending or running, or <paramref name="limit"/> passes; returns how many still are.</summary>
    private static async Task<int> CountUnfinishedAsync(HttpClient client, IReadOnlySet<string> ids, TimeSpan limit, TimeSpan pollEvery)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var remaining = (await ListAsync(client, NotTerminal)).Count(r => ids.Contains(r.Id));
            if (remaining == 0 || Stopwatch.GetElapsedTime(started) >= limit)
            {
                return remaining;
            }

            await Task.Delay(pollEvery);
        }
    }

    /// <summary>The ids of the submissions answered 202 with an id.</summary>
    private static HashSet<string> AcceptedIds(IEnumerable<Submission> samples) =>
        samples.Where(s => s.Status == (int)HttpStatusCode.Accepted && s.Id is not null).Select(s => s.Id!).ToHashSet(StringComparer.Ordinal);

    private static async Task<IReadOnlyList<BenchResult>> SubmitLoadAsync(HttpClient client, IReadOnlyList<string> questions, HostBenchOptions options)
    {
        const string Name = "H1 submit load (host)";
        var results = new List<BenchResult>();
        if (options.H1WarmupSeconds > 0)
        {
            results.AddRange(await WarmUpAtRateAsync(client, questions, options));
        }

        var total = options.H1Requests;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"H1: {total} submissions at {options.H1Rate:N0}/s for {options.H1Seconds:N0} s, open loop, from {DateTime.Now:HH:mm:ss.f} (the host log's clock)"));
        var (samples, loadStarted, dispatchSeconds, answeredSeconds) = await SendOpenLoopAsync(client, questions, options.H1Rate, total, "load");
        var latencies = samples.Select(s => Ms(s.Sent, s.Answered)).ToArray();
        var fromSchedule = samples.Select(s => Ms(s.Scheduled, s.Answered)).ToArray();
        var lag = samples.Select(s => Ms(s.Scheduled, s.Sent)).ToArray();
        var accepted = AcceptedIds(samples);
        var rejected = samples.Where(s => s.Status != (int)HttpStatusCode.Accepted || s.Id is null).ToArray();
        var rejectedNotes = string.Join(", ", rejected.GroupBy(s => s.Status == 0 ? s.Error ?? "error" : s.Status.ToString(CultureInfo.InvariantCulture)).Select(g => $"{g.Key} x{g.Count()}"));
        var p50 = Stats.Percentile(latencies, 50);
        var p95 = Stats.Percentile(latencies, 95);
        var p99 = Stats.Percentile(latencies, 99);
        var sentRate = total / dispatchSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"H1: sent {total} in {dispatchSeconds:N1} s, all answered after {answeredSeconds:N1} s; 202 x{accepted.Count}; p99 {p99:N1} ms"));

        PrintPerSecond("H1", samples, loadStarted);

        results.AddRange(
        [
            new(Name, "submit latency p50", p50, "ms", "-", null, options.H1WarmupSeconds > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{total} requests, after the warm-up")
                : $"{total} requests, host cold ({WarmupRuns} warm-up runs)"),
            new(Name, "submit latency p95", p95, "ms", "-", null),
            new(Name, "submit latency p99", p99, "ms", "< 100", p99 < 100),
            new(Name, "submit latency max", latencies.Max(), "ms", "-", null),
            new(Name, "latency p99 from scheduled send time", Stats.Percentile(fromSchedule, 99), "ms", "-", null, "includes dispatcher lag"),
            new(Name, "dispatcher lag p99", Stats.Percentile(lag, 99), "ms", "-", null, "scheduled -> request started"),
            new(Name, "achieved send rate", sentRate, "req/s", $">= {options.H1Rate * 0.95:N0}", sentRate >= options.H1Rate * 0.95, string.Create(CultureInfo.InvariantCulture, $"offered {options.H1Rate:N0}/s")),
            new(Name, "responses/s (202) until last answer", accepted.Count / answeredSeconds, "req/s", "-", null),
            new(Name, "non-202 responses", rejected.Length, "count", "0", rejected.Length == 0, rejectedNotes),
        ]);
        results.AddRange(await DrainAsync(client, accepted, options.DrainLimit, loadStarted));
        return results;
    }

    /// <summary>
    /// Brings the host to its steady state before the measured load: the same open-loop rate for
    /// H1WarmupSeconds, then a wait until those runs are all terminal. A freshly started .NET process spends
    /// its first minute of load recompiling hot methods at higher tiers (measured: ~13 s of JIT CPU in the first
    /// 30 s on 2 cores); what that costs is reported here, as the cold host's figures, not hidden.
    /// </summary>
    private static async Task<IReadOnlyList<BenchResult>> WarmUpAtRateAsync(HttpClient client, IReadOnlyList<string> questions, HostBenchOptions options)
    {
        const string Name = "H1 warm-up (host)";
        var count = (int)Math.Round(options.H1Rate * options.H1WarmupSeconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"H1 warm-up: {count} submissions at {options.H1Rate:N0}/s for {options.H1WarmupSeconds:N0} s, then until they finish"));
        var (samples, started, _, _) = await SendOpenLoopAsync(client, questions, options.H1Rate, count, "warm-up");
        var latencies = samples.Select(s => Ms(s.Sent, s.Answered)).ToArray();
        var accepted = AcceptedIds(samples);
        var p99 = Stats.Percentile(latencies, 99);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"H1 warm-up: 202 x{accepted.Count} of {count}; p50 {Stats.Percentile(latencies, 50):N1} ms, p99 {p99:N1} ms (cold host)"));
        PrintPerSecond("H1 warm-up", samples, started);

        var waitStarted = Stopwatch.GetTimestamp();
        if (await CountUnfinishedAsync(client, accepted, options.DrainLimit, DrainPollEvery) is var remaining and > 0)
        {
            throw new TimeoutException($"{remaining} of the {accepted.Count} warm-up runs were not terminal within {options.DrainLimit}.");
        }

        var drained = Stopwatch.GetElapsedTime(waitStarted).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"H1 warm-up: all {accepted.Count} terminal {drained:N0} s after its load; purging them"));

        // Purged, so the measured load meets the same store as it would on a cold host: in-memory Azurite keeps every
        // history row on its JavaScript heap, and its garbage collector's pauses grow with what it holds.
        var purgeStarted = Stopwatch.GetTimestamp();
        var notPurged = 0;
        await Parallel.ForEachAsync(accepted, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
        {
            using var response = await client.DeleteAsync(new Uri($"{Management}/instances/{id}", UriKind.Relative), ct);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref notPurged);
            }
        });
        var purged = Stopwatch.GetElapsedTime(purgeStarted).TotalSeconds;
        if (notPurged > 0)
        {
            throw new InvalidOperationException($"{notPurged} of the {accepted.Count} warm-up runs could not be purged.");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"H1 warm-up: purged in {purged:N0} s"));
        return
        [
            new(Name, "cold host submit latency p50", Stats.Percentile(latencies, 50), "ms", "-", null, string.Create(CultureInfo.InvariantCulture, $"{count} requests in {options.H1WarmupSeconds:N0} s, first load after start")),
            new(Name, "cold host submit latency p99", p99, "ms", "-", null, "not the target: the JIT tiers up meanwhile"),
            new(Name, "warm-up runs terminal after", drained, "s", "-", null, string.Create(CultureInfo.InvariantCulture, $"202 x{accepted.Count}; then purged in {purged:N0} s")),
        ];
    }

    /// <summary>
    /// Sends <paramref name="count"/> submissions at <paramref name="rate"/> per second on a clock, whatever the
    /// host answers (open loop), and waits for every answer.
    /// </summary>
    private static async Task<(Submission[] Samples, long Started, double DispatchSeconds, double AnsweredSeconds)> SendOpenLoopAsync(
        HttpClient client, IReadOnlyList<string> questions, double rate, int count, string label)
    {
        var samples = new Submission[count];
        var inFlight = new Task[count];
        var ticksPerRequest = Stopwatch.Frequency / rate;
        var seconds = count / rate;
        var started = Stopwatch.GetTimestamp();
        var dispatchDeadline = started + (long)((seconds + 10) * Stopwatch.Frequency);
        using (var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(2)))
        {
            var next = 0;
            while (next < count)
            {
                var now = Stopwatch.GetTimestamp();
                if (now > dispatchDeadline)
                {
                    throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"The dispatcher sent only {next} of {count} submissions in {seconds + 10:N0} s; the bench process itself is starved."));
                }

                var due = Math.Min(count, (int)((now - started) / ticksPerRequest) + 1);
                for (; next < due; next++)
                {
                    var i = next;
                    var scheduled = started + (long)(i * ticksPerRequest);
                    var question = $"{questions[i % questions.Count]} ({label} {i})";

                    // Off the dispatcher's thread: a slow connect must not delay the requests behind it.
                    inFlight[i] = Task.Run(async () => samples[i] = await TimedSubmitAsync(client, question, scheduled));
                }

                if (next < count)
                {
                    await tick.WaitForNextTickAsync();
                }
            }
        }

        var dispatchSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await Task.WhenAll(inFlight);
        return (samples, started, dispatchSeconds, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Per second of load: where the tail comes from (one stall, or a steady climb).</summary>
    private static void PrintPerSecond(string label, IEnumerable<Submission> samples, long started)
    {
        var perSecond = samples
            .GroupBy(s => (int)((s.Sent - started) / Stopwatch.Frequency))
            .OrderBy(g => g.Key)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key}s:{Stats.Percentile([.. g.Select(x => Ms(x.Sent, x.Answered))], 50):N0}/{g.Max(x => Ms(x.Sent, x.Answered)):N0}"));
        Console.WriteLine($"{label}: latency p50/max (ms) by second sent: " + string.Join(" ", perSecond));
    }

    private static async Task<IReadOnlyList<BenchResult>> DrainAsync(HttpClient client, IReadOnlySet<string> accepted, TimeSpan limit, long loadStarted)
    {
        const string Name = "H1 drain (host)";
        var drainStarted = Stopwatch.GetTimestamp();
        var lastProgress = drainStarted;
        var remaining = accepted.Count;
        var slowestPoll = 0.0;
        var failedPolls = 0;
        while (true)
        {
            var polled = Stopwatch.GetTimestamp();
            try
            {
                remaining = (await ListAsync(client, NotTerminal)).Count(r => accepted.Contains(r.Id));
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                // Seen under saturation: the host answers 500 when its own table query to Azurite times out.
                failedPolls++;
                Console.WriteLine($"H1 drain: a status listing failed ({ex.Message}); trying again");
            }

            slowestPoll = Math.Max(slowestPoll, Stopwatch.GetElapsedTime(polled).TotalSeconds);
            var waited = Stopwatch.GetElapsedTime(drainStarted);
            if (remaining == 0 || waited >= limit)
            {
                break;
            }

            if (Stopwatch.GetElapsedTime(lastProgress) >= ProgressEvery)
            {
                lastProgress = Stopwatch.GetTimestamp();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"H1 drain: {remaining} of {accepted.Count} still pending/running after {waited.TotalSeconds:N0} s (listing took {Stopwatch.GetElapsedTime(polled).TotalSeconds:N1} s)"));
            }

            await Task.Delay(DrainPollEvery);
        }

        var wallSeconds = Stopwatch.GetElapsedTime(loadStarted).TotalSeconds;
        var afterLoadSeconds = Stopwatch.GetElapsedTime(drainStarted).TotalSeconds;
        // Running first, then finished: a run finishing between the two listings is seen twice (and counted as
        // finished), never in neither; listing them the other way round reported such runs as lost.
        var running = (await ListAsync(client, NotTerminal)).Where(r => accepted.Contains(r.Id)).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var finished = (await ListAsync(client, Terminal)).Where(r => accepted.Contains(r.Id)).ToList();
        running.ExceptWith(finished.Select(r => r.Id));
        var stillRunning = running.Count;
        var completed = finished.Where(r => r.Status == "Completed").ToList();
        var lost = accepted.Count - finished.Count - stillRunning;
        var statuses = string.Join(", ", finished.GroupBy(r => r.Status).Select(g => $"{g.Key} x{g.Count()}"));
        var outcomes = string.Join(", ", completed.GroupBy(r => r.Outcome ?? "none").Select(g => $"{g.Key} x{g.Count()}"));

        // Host timestamps give the completion rate without the poll interval's granularity.
        var hostSpan = completed.Count > 0 ? (completed.Max(r => r.LastUpdated) - finished.Min(r => r.Created)).TotalSeconds : double.NaN;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"H1 drain: {completed.Count} completed, {stillRunning} still running, {lost} lost, {afterLoadSeconds:N1} s after the load"));
        return
        [
            new(Name, "runs completed", completed.Count, "runs", $"= {accepted.Count}", completed.Count == accepted.Count, $"{statuses}; outcomes: {outcomes}"),
            new(Name, "still pending/running at the bound", stillRunning, "runs", "0", stillRunning == 0, string.Create(CultureInfo.InvariantCulture, $"bound {limit.TotalMinutes:N0} min")),
            new(Name, "lost (accepted, never seen again)", lost, "runs", "0", lost == 0),
            new(Name, "load start -> all terminal (wall)", wallSeconds, "s", "-", null, stillRunning > 0 ? "bound reached" : ""),
            new(Name, "load end -> all terminal (wall)", afterLoadSeconds, "s", "-", null, string.Create(CultureInfo.InvariantCulture, $"polled every {DrainPollEvery.TotalSeconds:N0} s; slowest listing {slowestPoll:N1} s; {failedPolls} listings failed")),
            new(Name, "completion throughput (host clock)", completed.Count / hostSpan, "runs/s", "-", null, string.Create(CultureInfo.InvariantCulture, $"first created -> last completed {hostSpan:N1} s")),
        ];
    }

    private static async Task<IReadOnlyList<BenchResult>> ApprovalLatencyAsync(HttpClient client, IReadOnlyList<string> questions, int runs)
    {
        const string Name = "H2 approval latency (host)";
        Console.WriteLine($"H2: {runs} runs awaiting approval, then one signed approval at a time");
        var submitted = await Task.WhenAll(Enumerable.Range(0, runs).Select(i => SubmitAsync(client, $"{questions[i % questions.Count]} (approval {i})", requireApproval: true)));
        if (submitted.Count(s => s.Id is null) is var refused and > 0)
        {
            throw new InvalidOperationException($"{refused} of {runs} approval-run submissions were not answered 202 with an id.");
        }

        var ids = submitted.Select(s => s.Id!).ToList();
        await WaitForAwaitingApprovalAsync(client, ids);

        var toCompleted = new List<double>();
        var toAccepted = new List<double>();
        var notApproved = 0;
        foreach (var id in ids)
        {
            var body = Encoding.UTF8.GetBytes("""{"decision":"approve","reviewer":"hostbench","comment":"approved by the load bench"}""");
            var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/approvals/{id}") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.TryAddWithoutValidation("X-AgentFunctions-Signature", Sign(t, body));
            request.Headers.Add("X-AgentFunctions-Delivery", Guid.NewGuid().ToString("N"));

            var sent = Stopwatch.GetTimestamp();
            using (var response = await client.SendAsync(request))
            {
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new InvalidOperationException($"The approval webhook for {id} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }

            toAccepted.Add(Ms(sent, Stopwatch.GetTimestamp()));
            var (done, outcome) = await PollUntilCompletedAsync(client, id);
            toCompleted.Add(Ms(sent, done));
            if (outcome != "Approved")
            {
                notApproved++;
            }
        }

        var p50 = Stats.Percentile(toCompleted, 50);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"H2: approve -> Completed p50 {p50:N1} ms over {runs} runs"));
        return
        [
            new(Name, "approve -> Completed p50", p50, "ms", "< 100", p50 < 100, $"{runs} runs, status polled every 5 ms"),
            new(Name, "approve -> Completed p95", Stats.Percentile(toCompleted, 95), "ms", "-", null),
            new(Name, "approve -> Completed max", toCompleted.Max(), "ms", "-", null),
            new(Name, "webhook answered 202 p50", Stats.Percentile(toAccepted, 50), "ms", "-", null),
            new(Name, "runs not ending Approved", notApproved, "runs", "0", notApproved == 0),
        ];
    }

    private static async Task WaitForAwaitingApprovalAsync(HttpClient client, IReadOnlyList<string> ids)
    {
        var waiting = new HashSet<string>(ids, StringComparer.Ordinal);
        var started = Stopwatch.GetTimestamp();
        while (waiting.Count > 0)
        {
            if (Stopwatch.GetElapsedTime(started) > ApprovalWaitLimit)
            {
                throw new TimeoutException($"{waiting.Count} of {ids.Count} runs did not reach AwaitingApproval within {ApprovalWaitLimit}.");
            }

            foreach (var row in await ListAsync(client, "Running"))
            {
                if (row.Phase == "AwaitingApproval")
                {
                    waiting.Remove(row.Id);
                }
            }

            if (waiting.Count > 0)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>Polls the status route every ~5 ms until Completed; returns when it saw it and the outcome.</summary>
    private static async Task<(long Seen, string? Outcome)> PollUntilCompletedAsync(HttpClient client, string id)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(CompletionWaitLimit.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            using var response = await client.GetAsync(new Uri($"{Management}/instances/{id}?showInput=false", UriKind.Relative));
            var seen = Stopwatch.GetTimestamp();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
                var row = InstanceRow.Read(json.RootElement);
                return row.Status == "Completed"
                    ? (seen, row.Outcome)
                    : throw new InvalidOperationException($"Run {id} ended {row.Status} after its approval, not Completed.");
            }

            await Task.Delay(5);
        }

        throw new TimeoutException($"Run {id} was not Completed within {CompletionWaitLimit} of its approval.");
    }

    private static async Task<Submission> TimedSubmitAsync(HttpClient client, string question, long scheduled)
    {
        var sent = Stopwatch.GetTimestamp();
        try
        {
            var (status, id) = await SubmitAsync(client, question, requireApproval: false);
            return new(scheduled, sent, Stopwatch.GetTimestamp(), (int)status, id, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return new(scheduled, sent, Stopwatch.GetTimestamp(), 0, null, ex.GetType().Name);
        }
    }

    private static async Task<(HttpStatusCode Status, string? Id)> SubmitAsync(HttpClient client, string question, bool requireApproval)
    {
        using var content = new StringContent(JsonSerializer.Serialize(new { question, requireApproval }), Encoding.UTF8, "application/json");
        using var timeout = new CancellationTokenSource(SubmitTimeout);
        using var response = await client.PostAsync(new Uri("/api/research", UriKind.Relative), content, timeout.Token);
        var text = await response.Content.ReadAsStringAsync(timeout.Token);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            return (response.StatusCode, null);
        }

        using var json = JsonDocument.Parse(text);
        return (response.StatusCode, json.RootElement.TryGetProperty("id", out var id) ? id.GetString() : null);
    }

    /// <summary>Every instance in <paramref name="statuses"/>, following the continuation header page by page.</summary>
    private static async Task<List<InstanceRow>> ListAsync(HttpClient client, string statuses)
    {
        var rows = new List<InstanceRow>();
        string? continuation = null;
        for (var page = 0; page < MaxPages; page++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{Management}/instances?runtimeStatus={statuses}&top={PageSize}&showInput=false", UriKind.Relative));
            if (continuation is not null)
            {
                request.Headers.TryAddWithoutValidation(ContinuationHeader, continuation);
            }

            using var response = await client.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"Listing {statuses} instances answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            using (var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync()))
            {
                rows.AddRange(json.RootElement.EnumerateArray().Select(InstanceRow.Read));
            }

            continuation = response.Headers.TryGetValues(ContinuationHeader, out var next) ? next.FirstOrDefault() : null;
            if (string.IsNullOrEmpty(continuation))
            {
                return rows;
            }
        }

        throw new InvalidOperationException($"Listing {statuses} instances did not end within {MaxPages} pages of {PageSize}.");
    }

    private static string Sign(long timestamp, byte[] body)
    {
        var signed = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{timestamp}.")).Concat(body).ToArray();
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(WebhookSecret), signed);
        var header = string.Create(CultureInfo.InvariantCulture, $"t={timestamp},v1={Convert.ToHexStringLower(mac)}");

        // Computed here from the documented scheme and checked against the host's own: a drift fails loudly, not as 401s.
        return header == WebhookSignature.CreateHeader(WebhookSecret, timestamp, body)
            ? header
            : throw new InvalidOperationException("The bench's webhook signature differs from WebhookSignature.CreateHeader.");
    }

    private static IReadOnlyList<string> LoadQuestions(string repoRoot)
    {
        var path = Path.Combine(repoRoot, "samples", "eval", "questions.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var questions = json.RootElement.EnumerateArray().Select(q => q.GetProperty("question").GetString()!).ToList();
        return questions.Count > 0 ? questions : throw new InvalidOperationException($"{path} holds no questions.");
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    /// <summary>One open-loop submission: when it was due, sent and answered (Stopwatch ticks), and what came back.</summary>
    private readonly record struct Submission(long Scheduled, long Sent, long Answered, int Status, string? Id, string? Error);

    /// <summary>The fields of a management status body the bench reads.</summary>
    private sealed record InstanceRow(string Id, string Status, string? Phase, string? Outcome, DateTimeOffset Created, DateTimeOffset LastUpdated)
    {
        public static InstanceRow Read(JsonElement e) => new(
            e.GetProperty("instanceId").GetString()!,
            e.GetProperty("runtimeStatus").GetString()!,
            e.TryGetProperty("customStatus", out var custom) && custom.ValueKind == JsonValueKind.Object && custom.TryGetProperty("phase", out var phase) ? phase.GetString() : null,
            e.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Object && output.TryGetProperty("outcome", out var outcome) ? outcome.GetString() : null,
            e.GetProperty("createdTime").GetDateTimeOffset(),
            e.GetProperty("lastUpdatedTime").GetDateTimeOffset());
    }
}
