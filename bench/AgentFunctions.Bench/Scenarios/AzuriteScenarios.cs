using System.Diagnostics;
using AgentFunctions.Durable;
using AgentFunctions.Durable.AzureStorage;
using AgentFunctions.Storage;
using AgentFunctions.Testing;

namespace AgentFunctions.Bench.Scenarios;

/// <summary>
/// Issue 3's scenarios on Azurite (in-memory mode, started for the run on free loopback ports), side by side
/// with S0, the raw queue round-trip rate of our client, so S1 can be read as a fraction of what storage allows.
/// </summary>
public static class AzuriteScenarios
{
    public static async Task<IReadOnlyList<BenchResult>> RunAsync(ISet<string> wanted, bool quick)
    {
        await using var azurite = await AzuriteInstance.StartNewAsync(
            inMemory: Environment.GetEnvironmentVariable("BENCH_AZURITE_DISK") != "1",
            perService: Environment.GetEnvironmentVariable("BENCH_AZURITE_SPLIT") == "1");
        var results = new List<BenchResult>();
        double? s0At32 = null;
        if (wanted.Contains("s0"))
        {
            var r = await QueueCalibrationAsync(azurite.ConnectionString, quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(8));
            results.AddRange(r);
            s0At32 = r[^1].Value;
        }

        if (wanted.Contains("s1"))
        {
            results.AddRange(await HelloCitiesAsync(azurite.ConnectionString, quick ? 100 : 300, s0At32));
        }

        if (wanted.Contains("s3"))
        {
            results.AddRange(await FanOutAsync(azurite.ConnectionString, quick ? 1_000 : 10_000));
        }

        if (wanted.Contains("s5"))
        {
            results.AddRange(await EventLatencyAsync(azurite.ConnectionString, quick ? 50 : 200));
        }

        return results;
    }

    /// <summary>S0: put + get + delete of one queue message, sequentially and 32 in flight.</summary>
    private static async Task<IReadOnlyList<BenchResult>> QueueCalibrationAsync(string connection, TimeSpan duration)
    {
        using var account = new StorageAccountClient(connection);
        var results = new List<BenchResult>();
        foreach (var inFlight in new[] { 1, 32 })
        {
            var queue = account.GetQueueClient($"s0-{inFlight}-{Guid.NewGuid():N}"[..30]);
            await queue.CreateIfNotExistsAsync();
            var stop = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var count = 0L;
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
            {
                while (Stopwatch.GetTimestamp() < stop)
                {
                    await queue.SendMessageAsync("calibration");
                    var got = await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30));
                    foreach (var m in got)
                    {
                        await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
                    }

                    Interlocked.Increment(ref count);
                }
            }));
            var rate = count / Stopwatch.GetElapsedTime(started).TotalSeconds;
            results.Add(new("S0 queue calibration", $"put+get+delete, {inFlight} in flight", rate, "cycles/s", "-", null, $"{rate * 3:N0} requests/s"));
        }

        return results;
    }


    private static async Task<(AzureStorageOrchestrationBackend Backend, StorageAccountClient Account, DurableTaskWorker Worker, DurableTaskClient Client)> StartAsync(string connection)
    {
        var account = new StorageAccountClient(connection);
        var backend = new AzureStorageOrchestrationBackend(account, new AzureStorageBackendOptions { TaskHubName = "b" + Guid.NewGuid().ToString("N")[..12] });
        var registry = DurableScenarios.Registry();
        var worker = new DurableTaskWorker(backend, registry, options: new DurableTaskWorkerOptions { MaxConcurrentOrchestrations = int.Parse(Environment.GetEnvironmentVariable("BENCH_ORCH") ?? "20"), MaxConcurrentActivities = int.Parse(Environment.GetEnvironmentVariable("BENCH_ACT") ?? "20") });
        await worker.StartAsync(CancellationToken.None);
        var client = new DurableTaskClient(backend, registry);
        var wait = Stopwatch.StartNew();
        while (!backend.IsProcessing && wait.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }

        return (backend, account, worker, client);
    }

    private static async Task StopAsync((AzureStorageOrchestrationBackend Backend, StorageAccountClient Account, DurableTaskWorker Worker, DurableTaskClient Client) host)
    {
        await host.Worker.StopAsync(CancellationToken.None);
        await host.Backend.DisposeAsync();
        host.Account.Dispose();
    }

    /// <summary>S1 on Azurite: N orchestrations x 5 sequential activities; events/s and storage requests per activity.</summary>
    private static async Task<IReadOnlyList<BenchResult>> HelloCitiesAsync(string connection, int instances, double? s0)
    {
        var host = await StartAsync(connection);
        try
        {
            var requestsBefore = host.Account.RequestsSent;
            var kindsBefore = host.Account.RequestsByKind;
            var seconds = await DurableScenarios.RunHelloCitiesAsync(host.Client, instances);
            var perActivity = (host.Account.RequestsSent - requestsBefore) / (5.0 * instances);
            var byKind = string.Join(", ", host.Account.RequestsByKind
                .Select(k => (k.Key, PerActivity: (k.Value - kindsBefore.GetValueOrDefault(k.Key)) / (5.0 * instances)))
                .Where(k => k.PerActivity >= 0.01)
                .OrderByDescending(k => k.PerActivity)
                .Select(k => $"{k.Key} {k.PerActivity:N2}"));
            var rate = 10.0 * instances / seconds;
            var results = new List<BenchResult>
            {
                new("S1 HelloCities5 (Azurite)", $"{instances} orchestrations x 5 activities", rate, "events/s", ">= 445 (aim 1,000)", rate >= 445, $"{seconds:N1} s"),
                new("S1 HelloCities5 (Azurite)", "storage requests per activity", perActivity, "requests", "<= 6", perActivity <= 6, $"includes client polling; {byKind}"),
            };
            if (s0 is { } calibration)
            {
                // One activity costs ~3 queue cycles' worth of requests; compare activities/s with S0 cycles/s.
                results.Add(new("S1 HelloCities5 (Azurite)", "activities/s as a fraction of S0 (32 in flight)", rate / 2 / calibration, "ratio", "-", null));
            }

            return results;
        }
        finally
        {
            await StopAsync(host);
        }
    }

    /// <summary>S3 on Azurite: one orchestration fanning out N activities.</summary>
    private static async Task<IReadOnlyList<BenchResult>> FanOutAsync(string connection, int n)
    {
        var host = await StartAsync(connection);
        try
        {
            var requestsBefore = host.Account.RequestsSent;
            var started = Stopwatch.GetTimestamp();
            var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("FanOut", n);
            var done = await host.Client.WaitForInstanceCompletionAsync(id);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (done.ReadOutputAs<long>() != Enumerable.Range(1, n).Sum(i => (long)i * i))
            {
                throw new InvalidOperationException($"fan-out ended {done.RuntimeStatus} with a wrong sum");
            }

            var perActivity = (host.Account.RequestsSent - requestsBefore) / (double)n;
            return
            [
                new("S3 fan-out (Azurite)", $"{n:N0} activities", seconds, "s", n >= 10_000 ? "< 60 (aim 20)" : "-", n >= 10_000 ? seconds < 60 : null),
                new("S3 fan-out (Azurite)", "storage requests per activity", perActivity, "requests", "-", null),
            ];
        }
        finally
        {
            await StopAsync(host);
        }
    }

    /// <summary>S5 on Azurite: raise -> orchestrator resumed, one event at a time.</summary>
    private static async Task<IReadOnlyList<BenchResult>> EventLatencyAsync(string connection, int events)
    {
        DurableScenarios.EventResumed = new long[events];
        var host = await StartAsync(connection);
        try
        {
            var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("EventLoop", events);
            await host.Client.WaitForInstanceStartAsync(id);
            var latencies = new List<double>();
            for (var i = 0; i < events; i++)
            {
                var raised = Stopwatch.GetTimestamp();
                await host.Client.RaiseEventAsync(id, "Ping", i);
                var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
                while (Volatile.Read(ref DurableScenarios.EventResumed[i]) == 0 && Stopwatch.GetTimestamp() < deadline)
                {
                    await Task.Delay(1);
                }

                latencies.Add(Stopwatch.GetElapsedTime(raised, DurableScenarios.EventResumed[i]).TotalMilliseconds);
            }

            var p50 = Stats.Percentile(latencies.Skip(events / 10), 50);
            var p99 = Stats.Percentile(latencies.Skip(events / 10), 99);
            return
            [
                new("S5 event latency (Azurite)", "raise -> resumed p50", p50, "ms", "< 50", p50 < 50, $"{events} events"),
                new("S5 event latency (Azurite)", "raise -> resumed p99", p99, "ms", "< 250", p99 < 250),
            ];
        }
        finally
        {
            await StopAsync(host);
        }
    }
}
