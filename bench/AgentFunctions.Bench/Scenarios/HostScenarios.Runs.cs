using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using AgentFunctions.Testing;

namespace AgentFunctions.Bench.Scenarios;

/// <summary>
/// H3: one research run at a time (offline model, no approval) submit -> Completed, with Azurite's request count per
/// run. H4: <c>kill -9</c> of the host while runs are mid-way, a new host process on the same hub, and how long until
/// the runs move again and finish.
/// </summary>
public static partial class HostScenarios
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan KillWaitLimit = TimeSpan.FromSeconds(60);

    private static async Task<IReadOnlyList<BenchResult>> ResearchLatencyAsync(HttpClient client, IReadOnlyList<string> questions, int runs, AzuriteInstance azurite)
    {
        const string Name = "H3 research run (host)";

        // What the host asks of Azurite doing nothing (queue polling, lease renewals), to read the per-run figure against.
        var idleBefore = azurite.RequestsLogged;
        await Task.Delay(IdleWindow);
        var idlePerSecond = (azurite.RequestsLogged - idleBefore) / IdleWindow.TotalSeconds;

        var latencies = new List<double>();
        var polls = 0L;
        var before = azurite.RequestsLogged;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < runs; i++)
        {
            var sent = Stopwatch.GetTimestamp();
            var (status, id) = await SubmitAsync(client, $"{questions[i % questions.Count]} (h3 {i})", requireApproval: false);
            if (status != HttpStatusCode.Accepted || id is null)
            {
                throw new InvalidOperationException($"H3 submission {i} answered {(int)status}, not 202.");
            }

            var (done, pollCount) = await PollUntilTerminalAsync(client, id, TimeSpan.FromMilliseconds(10), RunLimit);
            polls += pollCount;
            latencies.Add(Ms(sent, done));
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;

        // Azurite's log lines arrive on a pipe a little after the requests: give the last ones a moment.
        await Task.Delay(500);
        var requests = azurite.RequestsLogged - before - (idlePerSecond * 0.5);
        var perRun = (requests - polls) / runs;
        var perRunBusy = (requests - polls - (idlePerSecond * elapsed)) / runs;
        var p50 = Stats.Percentile(latencies, 50);
        var p95 = Stats.Percentile(latencies, 95);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"H3: {runs} runs, p50 {p50:N0} ms, p95 {p95:N0} ms; {perRun:N0} storage requests per run ({perRunBusy:N0} above idle {idlePerSecond:N0}/s); load {BenchRunner.LoadAverage()}"));
        return
        [
            new(Name, "submit -> Completed p50", p50, "ms", "-", null, string.Create(CultureInfo.InvariantCulture, $"{runs} runs one at a time after 10 warm-up runs; status polled every 10 ms; load {BenchRunner.LoadAverage()}")),
            new(Name, "submit -> Completed p95", p95, "ms", "-", null, string.Create(CultureInfo.InvariantCulture, $"max {latencies.Max():N0} ms")),
            new(Name, "storage requests per run", perRun, "requests", "-", null, string.Create(CultureInfo.InvariantCulture,
                $"Azurite access log, the bench's {polls / (double)runs:N0} status reads per run taken out; {perRunBusy:N0} above the idle {idlePerSecond:N0} requests/s")),
            new(Name, "idle host storage requests", idlePerSecond, "req/s", "-", null, "no run in flight"),
        ];
    }

    /// <summary>Polls the status route until the run is terminal; returns when that was seen and how many polls it took.</summary>
    private static async Task<(long Seen, long Polls)> PollUntilTerminalAsync(HttpClient client, string id, TimeSpan every, TimeSpan limit)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        var polls = 0L;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var row = await GetRowAsync(client, id);
            polls++;
            var seen = Stopwatch.GetTimestamp();
            if (row?.Status == "Completed")
            {
                return (seen, polls);
            }

            if (row?.Status is "Failed" or "Terminated")
            {
                throw new InvalidOperationException($"Run {id} ended {row.Status}.");
            }

            await Task.Delay(every);
        }

        throw new TimeoutException($"Run {id} was not Completed within {limit}.");
    }

    private static async Task<InstanceRow?> GetRowAsync(HttpClient client, string id)
    {
        // Durable Functions' status route answers 202 while the instance is pending or running, 200 once it has finished.
        using var response = await client.GetAsync(new Uri($"{Management}/instances/{id}?showInput=false", UriKind.Relative));
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Accepted))
        {
            return null;
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        return InstanceRow.Read(json.RootElement);
    }

    /// <summary>
    /// H4: runs submitted to host A; as soon as one shows progress past planning, A is killed with SIGKILL
    /// (<see cref="Process.Kill(bool)"/>, as <c>kill -9</c>); host B starts on the same task hub. Measured from B's
    /// process start: the first status change of an unfinished run, and all of them terminal.
    /// </summary>
    private static async Task<IReadOnlyList<BenchResult>> KillRestartAsync(
        string repoRoot, AzuriteInstance azurite, string hubName, IReadOnlyDictionary<string, string> overrides, IReadOnlyList<string> questions, HostBenchOptions options)
    {
        const string Name = "H4 kill -9 and restart (host)";
        var values = HostValues(azurite, hubName, overrides);
        var ids = new List<string>();
        Dictionary<string, InstanceRow> atKill;
        DateTimeOffset killedAt;
        var hostA = await LocalHostProcess.StartAsync(repoRoot, values);
        try
        {
            using var clientA = new HttpClient { BaseAddress = hostA.BaseAddress, Timeout = ListTimeout };
            var (warmStatus, warmId) = await SubmitAsync(clientA, $"{questions[0]} (h4 warm-up)", requireApproval: false);
            if (warmStatus != HttpStatusCode.Accepted || warmId is null)
            {
                throw new InvalidOperationException($"H4 warm-up submission answered {(int)warmStatus}.");
            }

            await PollUntilTerminalAsync(clientA, warmId, TimeSpan.FromMilliseconds(50), RunLimit);
            for (var i = 0; i < options.H4Runs; i++)
            {
                var (status, id) = await SubmitAsync(clientA, $"{questions[(i + 1) % questions.Count]} (h4 {i})", requireApproval: false);
                ids.Add(status == HttpStatusCode.Accepted && id is not null ? id : throw new InvalidOperationException($"H4 submission answered {(int)status}."));
            }

            // Kill as soon as any run is past planning: the others are then mid-way too, or not started.
            var waitStarted = Stopwatch.GetTimestamp();
            while (true)
            {
                var rows = await Task.WhenAll(ids.Select(id => GetRowAsync(clientA, id)));
                if (rows.Any(r => r is not null && (r.Status != "Running" || r.Phase is not (null or "Planning"))))
                {
                    break;
                }

                if (Stopwatch.GetElapsedTime(waitStarted) > KillWaitLimit)
                {
                    throw new TimeoutException($"No H4 run got past planning within {KillWaitLimit}.");
                }

                await Task.Delay(20);
            }

            atKill = (await Task.WhenAll(ids.Select(id => GetRowAsync(clientA, id)))).OfType<InstanceRow>().ToDictionary(r => r.Id, StringComparer.Ordinal);
            killedAt = DateTimeOffset.UtcNow;
        }
        finally
        {
            await hostA.DisposeAsync(); // Process.Kill: SIGKILL, no shutdown code runs
        }

        var unfinished = ids.Where(id => !atKill.TryGetValue(id, out var r) || r.Status is "Pending" or "Running").ToList();
        var phases = string.Join(", ", atKill.Values.GroupBy(r => $"{r.Status}/{r.Phase ?? "-"}").Select(g => $"{g.Key} x{g.Count()}"));
        Console.WriteLine($"H4: killed host A (pid gone) with {unfinished.Count} of {ids.Count} runs unfinished: {phases}");
        if (unfinished.Count == 0)
        {
            throw new InvalidOperationException("H4: every run finished before the kill; nothing to measure.");
        }

        var restarted = Stopwatch.GetTimestamp();
        await using var hostB = await LocalHostProcess.StartAsync(repoRoot, values);
        var healthy = Stopwatch.GetElapsedTime(restarted).TotalSeconds;
        using var client = new HttpClient { BaseAddress = hostB.BaseAddress, Timeout = ListTimeout };
        double? firstProgress = null;
        double? allDone = null;
        var completed = 0;
        while (Stopwatch.GetElapsedTime(restarted) < options.H4Limit)
        {
            var rows = (await Task.WhenAll(unfinished.Select(id => GetRowAsync(client, id)))).OfType<InstanceRow>().ToList();
            var now = Stopwatch.GetElapsedTime(restarted).TotalSeconds;
            if (firstProgress is null && rows.Any(r => r.LastUpdated > killedAt))
            {
                firstProgress = now;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"H4: first progress {now:N1} s after host B's start (healthy after {healthy:N1} s)"));
            }

            completed = rows.Count(r => r.Status == "Completed");
            if (rows.Count == unfinished.Count && rows.All(r => r.Status is "Completed" or "Failed" or "Terminated"))
            {
                allDone = now;
                break;
            }

            await Task.Delay(100);
        }

        var note = string.Create(CultureInfo.InvariantCulture, $"{unfinished.Count} runs unfinished at the kill ({phases}); {completed} completed; bound {options.H4Limit.TotalSeconds:N0} s; load {BenchRunner.LoadAverage()}");
        Console.WriteLine($"H4: all terminal {(allDone is { } d ? $"{d:N1} s" : "NOT within the bound")} after host B's start; {note}");
        return
        [
            new(Name, "restart -> first progress", firstProgress ?? double.PositiveInfinity, "s", "< 10", firstProgress < 10, string.Create(CultureInfo.InvariantCulture, $"from host B's process start; healthy after {healthy:N1} s")),
            new(Name, "restart -> all runs terminal", allDone ?? double.PositiveInfinity, "s", "< 30", allDone < 30 && completed == unfinished.Count, note),
        ];
    }
}
