using System.Diagnostics;
using AgentFunctions.Durable;
using AgentFunctions.Durable.Execution;
using AgentFunctions.Durable.History;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Bench.Scenarios;

/// <summary>The runtime scenarios of issue 2 on the in-memory backend.</summary>
public static class DurableScenarios
{
    private static readonly string[] Cities = ["Tokyo", "Seattle", "London", "Lagos", "Lima"];

    /// <summary>The benchmark orchestrations, shared by the in-memory and Azurite scenarios.</summary>
    internal static DurableTaskRegistry Registry() => new DurableTaskRegistry()
        .AddActivityFunc<string, string>("SayHello", (_, name) => $"Hello, {name}!")
        .AddActivityFunc<int, int>("Square", (_, x) => x * x)
        .AddOrchestratorFunc<string?, string[]>("HelloCities5", async (ctx, _) =>
        {
            var results = new string[Cities.Length];
            for (var i = 0; i < Cities.Length; i++)
            {
                results[i] = await ctx.CallActivityAsync<string>("SayHello", Cities[i]);
            }

            return results;
        })
        .AddOrchestratorFunc<int, long>("FanOut", async (ctx, n) =>
        {
            var results = await Task.WhenAll(Enumerable.Range(1, n).Select(i => ctx.CallActivityAsync<int>("Square", i)));
            return results.Sum(x => (long)x);
        })
        .AddOrchestratorFunc<int, int>("EventLoop", async (ctx, n) =>
        {
            for (var i = 0; i < n; i++)
            {
                await ctx.WaitForExternalEvent<int>("Ping");
                if (!ctx.IsReplaying)
                {
                    EventResumed[i] = Stopwatch.GetTimestamp();
                }
            }

            return n;
        })
        .AddOrchestratorFunc<int, int>("Sequential", async (ctx, n) =>
        {
            for (var i = 0; i < n; i++)
            {
                await ctx.CallActivityAsync<string>("SayHello", "x");
            }

            return n;
        })
        .AddOrchestratorFunc<string?, string>("Idle", (ctx, _) => ctx.WaitForExternalEvent<string>("Never"));

    /// <summary>When the event loop's code resumed after event i (Stopwatch ticks), written outside replay.</summary>
    internal static long[] EventResumed = [];

    /// <summary>S1: 1,000 orchestrations of 5 sequential activities; events/s = 10 x N / elapsed.</summary>
    public static async Task<IReadOnlyList<BenchResult>> HelloCitiesAsync(int instances, int repetitions)
    {
        var rates = new List<double>();
        for (var r = 0; r < repetitions + 1; r++)
        {
            await using var host = await InMemoryHost.StartAsync(Registry());
            var seconds = await RunHelloCitiesAsync(host.Client, instances);
            if (r > 0)
            {
                rates.Add(10.0 * instances / seconds); // first round warms the JIT
            }
        }

        var median = Stats.Median(rates);
        return [new("S1 HelloCities5", $"{instances} orchestrations x 5 activities", median, "events/s", ">= 20,000", median >= 20_000, $"median of {repetitions}; min {rates.Min():N0}, max {rates.Max():N0}")];
    }

    /// <summary>Schedules N HelloCities5 runs at once and waits for all; returns the seconds it took.</summary>
    internal static async Task<double> RunHelloCitiesAsync(DurableTaskClient client, int instances)
    {
        var started = Stopwatch.GetTimestamp();
        var ids = await Task.WhenAll(Enumerable.Range(0, instances).Select(_ => client.ScheduleNewOrchestrationInstanceAsync("HelloCities5")));
        foreach (var id in ids)
        {
            var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: false);
            if (done.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
            {
                throw new InvalidOperationException($"{id} ended {done.RuntimeStatus}");
            }
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>S3: one orchestration fanning out N activities; t(10k)/t(1k) shows whether fan-in is linear.</summary>
    public static async Task<IReadOnlyList<BenchResult>> FanOutAsync(int repetitions)
    {
        var times = new Dictionary<int, List<double>> { [1_000] = [], [10_000] = [] };
        await using (var warm = await InMemoryHost.StartAsync(Registry()))
        {
            await RunFanOut(warm, 1_000);
        }

        for (var r = 0; r < repetitions; r++)
        {
            foreach (var n in times.Keys)
            {
                await using var host = await InMemoryHost.StartAsync(Registry());
                times[n].Add(await RunFanOut(host, n));
            }
        }

        var t1 = Stats.Median(times[1_000]);
        var t10 = Stats.Median(times[10_000]);
        return
        [
            new("S3 fan-out", "1,000 activities", t1, "s", "-", null, $"median of {repetitions}; {t1 * 1e6 / 1_000:N1} us per activity"),
            new("S3 fan-out", "10,000 activities", t10, "s", "< 2 s", t10 < 2, $"median of {repetitions}; {t10 * 1e6 / 10_000:N1} us per activity"),
            new("S3 fan-out", "t(10k) / t(1k)", t10 / t1, "ratio", "<= 12", t10 / t1 <= 12),
        ];
    }

    private static async Task<double> RunFanOut(InMemoryHost host, int n)
    {
        var started = Stopwatch.GetTimestamp();
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("FanOut", n);
        var done = await host.Client.WaitForInstanceCompletionAsync(id);
        if (done.ReadOutputAs<long>() != Enumerable.Range(1, n).Sum(i => (long)i * i))
        {
            throw new InvalidOperationException("fan-out sum wrong");
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>
    /// S4: cold replay cost per history event, and the cost of one cached step, as history grows. Runs the
    /// executor directly on synthetic histories of a sequential orchestration (2 events per activity).
    /// </summary>
    public static IReadOnlyList<BenchResult> ReplayCost()
    {
        var registry = Registry();
        var environment = new ExecutionEnvironment(registry, EmptyProvider.Instance, DataConverter.Default, NullLoggerFactory.Instance, 16 * 1024);
        var results = new List<BenchResult>();
        var coldPerEvent = new List<double>();
        var cachedStep = new List<double>();
        foreach (var length in new[] { 10, 100, 1_000, 5_000 })
        {
            var activities = Math.Max(1, (length - 2) / 3);
            var history = SequentialHistory(activities);
            for (var i = 0; i < 3; i++)
            {
                _ = EpisodeRunner.Replay("bench", history, environment); // warm
            }

            var iterations = Math.Max(5, 20_000 / history.Length);
            var samples = new List<double>();
            for (var i = 0; i < iterations; i++)
            {
                var t = Stopwatch.GetTimestamp();
                _ = EpisodeRunner.Replay("bench", history, environment);
                samples.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds / history.Length);
            }

            var perEvent = Stats.Median(samples);
            coldPerEvent.Add(perEvent);

            // A cached step: a live session at this length receives one more result and schedules the next call.
            var stepSamples = new List<double>();
            for (var i = 0; i < 50; i++)
            {
                var session = EpisodeRunner.Replay("bench", history[..^1], environment);
                var next = history[^1];
                var t = Stopwatch.GetTimestamp();
                session.Apply(new OrchestratorStartedEvent(DateTimeOffset.UnixEpoch), isReplaying: false);
                session.Apply(next, isReplaying: false);
                _ = session.TakeNewActions(DateTimeOffset.UnixEpoch);
                stepSamples.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
            }

            var step = Stats.Median(stepSamples);
            cachedStep.Add(step);
            results.Add(new("S4 replay", $"cold, {history.Length} events", perEvent, "us/event", "<= 15", perEvent <= 15));
            results.Add(new("S4 replay", $"cached step at {history.Length} events", step, "us", "flat", null));
        }

        var growth = cachedStep[^1] / cachedStep[0];
        results.Add(new("S4 replay", "cached step 5,000 vs 10 events", growth, "ratio", "~1 (no growth)", growth < 3));
        return results;
    }

    private static HistoryEvent[] SequentialHistory(int activities)
    {
        var t = DateTimeOffset.UnixEpoch;
        var events = new List<HistoryEvent>
        {
            new OrchestratorStartedEvent(t),
            new ExecutionStartedEvent(t, "Sequential", "e", (activities + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        for (var i = 0; i < activities; i++)
        {
            events.Add(new TaskScheduledEvent(i, t, "SayHello", "\"x\""));
            events.Add(new OrchestratorStartedEvent(t));
            events.Add(new TaskCompletedEvent(t, i, "\"Hello, x!\""));
        }

        return [.. events];
    }

    /// <summary>S5: external event raised -> orchestrator code resumed, one event at a time.</summary>
    public static async Task<IReadOnlyList<BenchResult>> EventLatencyAsync(int events)
    {
        EventResumed = new long[events];
        await using var host = await InMemoryHost.StartAsync(Registry());
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("EventLoop", events);
        await host.Client.WaitForInstanceStartAsync(id);
        var latencies = new List<double>();
        for (var i = 0; i < events; i++)
        {
            var raised = Stopwatch.GetTimestamp();
            await host.Client.RaiseEventAsync(id, "Ping", i);
            var spin = new SpinWait();
            while (Volatile.Read(ref EventResumed[i]) == 0)
            {
                spin.SpinOnce();
            }

            latencies.Add(Stopwatch.GetElapsedTime(raised, EventResumed[i]).TotalMilliseconds);
        }

        var p50 = Stats.Percentile(latencies.Skip(events / 10), 50);
        var p99 = Stats.Percentile(latencies.Skip(events / 10), 99);
        return
        [
            new("S5 event latency", "raise -> resumed p50", p50, "ms", "< 1", p50 < 1, $"{events} events, first 10% discarded as warm-up"),
            new("S5 event latency", "raise -> resumed p99", p99, "ms", "-", null),
        ];
    }

    /// <summary>S7a: N instances idle, each waiting on an event; process memory after a full GC.</summary>
    public static async Task<IReadOnlyList<BenchResult>> IdleMemoryAsync(int instances)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        await using var host = await InMemoryHost.StartAsync(Registry());
        var ids = await Task.WhenAll(Enumerable.Range(0, instances).Select(_ => host.Client.ScheduleNewOrchestrationInstanceAsync("Idle")));
        foreach (var id in ids)
        {
            await host.Client.WaitForInstanceStartAsync(id);
        }

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var managedMb = (after - before) / 1024.0 / 1024.0;
        var workingSetMb = process.WorkingSet64 / 1024.0 / 1024.0;
        return
        [
            new("S7a idle memory", $"{instances:N0} waiting instances, managed heap growth", managedMb, "MB", "-", null, $"{host.Worker.CachedSessionCount} sessions cached"),
            new("S7a idle memory", "process working set", workingSetMb, "MB", "< 100", workingSetMb < 100),
        ];
    }

    private sealed class EmptyProvider : IServiceProvider
    {
        public static readonly EmptyProvider Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
