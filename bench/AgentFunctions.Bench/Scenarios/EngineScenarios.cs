using System.Diagnostics;
using System.Globalization;
using AgentFunctions.Host.Durable;
using AgentFunctions.Research.Orchestration;
using AgentFunctions.Testing;
using DurableTask.AzureStorage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Bench.Scenarios;

/// <summary>
/// The Durable Task engine of the local host (the host's <see cref="TaskHubEngine"/> over DurableTask.AzureStorage)
/// in this process on Azurite, with small benchmark orchestrations: HelloCities5 and a fan-out. Storage requests are
/// counted at the engine's Azure SDK clients (<see cref="StorageRequestCounter"/>), so they include the idle polling
/// of every queue while the scenario runs and the bench client's own few requests (one start per instance, a
/// status listing every 50 ms at the end).
/// </summary>
public static class EngineScenarios
{
    private static readonly string[] Cities = ["Tokyo", "Seattle", "London", "Lagos", "Lima"];
    private static readonly TimeSpan HelloCitiesLimit = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan FanOut1kLimit = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(10);

    private static long s_activitiesRun;
    private static long s_orchestrationsReturned;
    private static long s_fanOutEpisodes;

    /// <summary>The benchmark orchestrations and activities.</summary>
    private static DurableTaskRegistry Registry() => new DurableTaskRegistry()
        .AddActivityFunc<string, string>("SayHello", (_, name) =>
        {
            Interlocked.Increment(ref s_activitiesRun);
            return $"Hello, {name}!";
        })
        .AddActivityFunc<int, int>("Square", (_, x) =>
        {
            Interlocked.Increment(ref s_activitiesRun);
            return x * x;
        })
        .AddOrchestratorFunc<string?, string[]>("HelloCities5", async (ctx, _) =>
        {
            var results = new string[Cities.Length];
            for (var i = 0; i < Cities.Length; i++)
            {
                results[i] = await ctx.CallActivityAsync<string>("SayHello", Cities[i]);
            }

            if (!ctx.IsReplaying)
            {
                Interlocked.Increment(ref s_orchestrationsReturned);
            }

            return results;
        })
        .AddOrchestratorFunc<int, long>("FanOut", async (ctx, n) =>
        {
            // Every episode starts here (a replay of the history so far, then the new messages): counts episodes.
            Interlocked.Increment(ref s_fanOutEpisodes);
            var results = await Task.WhenAll(Enumerable.Range(1, n).Select(i => ctx.CallActivityAsync<int>("Square", i)));
            return results.Sum(x => (long)x);
        });

    /// <summary>Runs the wanted engine scenarios (s1 HelloCities5, s3 fan-out) for each profile, each repetition on a task hub of its own.</summary>
    public static async Task<IReadOnlyList<BenchResult>> RunAsync(ISet<string> wanted, IReadOnlyList<string> profiles, int repetitions, int helloInstances, TimeSpan fanOut10kLimit)
    {
        // In memory by default; BENCH_AZURITE_DISK=1 for disk persistence, =queue for the queue service on disk and the
        // rest in memory (three processes); BENCH_AZURITE_SPLIT=1 for one process per service.
        var disk = Environment.GetEnvironmentVariable("BENCH_AZURITE_DISK");
        var inMemory = disk != "1";
        var queueOnDisk = disk == "queue";
        var split = Environment.GetEnvironmentVariable("BENCH_AZURITE_SPLIT") == "1" || queueOnDisk;
        Console.WriteLine($"E: starting Azurite ({(queueOnDisk ? "queue on disk, tables and blobs in memory" : inMemory ? "in memory" : "disk persistence")}{(split ? ", one process per service" : "")}); load average {BenchRunner.LoadAverage()}");
        await using var azurite = await AzuriteInstance.StartNewAsync(inMemory: inMemory, perService: split, queueOnDisk: queueOnDisk);
        var results = new List<BenchResult>();
        foreach (var profile in profiles.Select(EngineSettingsProfile.Named))
        {
            if (wanted.Contains("s1"))
            {
                results.AddRange(await HelloCitiesAsync(azurite.ConnectionString, profile, helloInstances, repetitions));
            }

            if (wanted.Contains("s3"))
            {
                results.AddRange(await FanOutAsync(azurite.ConnectionString, profile, 1_000, repetitions, FanOut1kLimit));
            }

            if (wanted.Contains("s3x"))
            {
                results.AddRange(await FanOutAsync(azurite.ConnectionString, profile, 10_000, 1, fanOut10kLimit));
            }
        }

        return results;
    }

    /// <summary>S1: N HelloCities5 instances at once (5 sequential activities each); events/s = 10 x N / elapsed, as Durable Functions' published figure counts them.</summary>
    private static async Task<IReadOnlyList<BenchResult>> HelloCitiesAsync(string connection, EngineSettingsProfile profile, int instances, int repetitions)
    {
        var name = $"S1 HelloCities5 [{profile.Name}]";
        var rates = new List<double>();
        var perActivity = new List<double>();
        var loads = new List<double>();
        string? settings = null;
        string? kinds = null;
        for (var r = 0; r < repetitions; r++)
        {
            await using var engine = await EngineUnderTest.StartAsync(connection, profile);
            settings = engine.Settings;
            await RunHelloCitiesAsync(engine, 1, HelloCitiesLimit); // warm-up: JIT, leases, queues
            loads.Add(BenchRunner.LoadAverage());
            var before = engine.Counter.Total;
            var kindsBefore = engine.Counter.ByKind;
            var returnedBefore = Interlocked.Read(ref s_orchestrationsReturned);
            double seconds;
            double events;
            try
            {
                seconds = await RunHelloCitiesAsync(engine, instances, HelloCitiesLimit);
                events = 10.0 * instances;
            }
            catch (TimeoutException ex)
            {
                // A run that does not finish in the bound still has a rate: the instances that did finish.
                seconds = HelloCitiesLimit.TotalSeconds;
                events = 10.0 * (Interlocked.Read(ref s_orchestrationsReturned) - returnedBefore);
                Console.WriteLine($"{name}: {ex.Message}");
            }

            var requests = engine.Counter.Total - before;
            rates.Add(events / seconds);
            perActivity.Add(requests / (events / 2));
            kinds = string.Join(", ", engine.Counter.ByKind
                .Select(k => (k.Key, PerActivity: (k.Value - kindsBefore.GetValueOrDefault(k.Key)) / (events / 2)))
                .Where(k => k.PerActivity >= 0.05)
                .OrderByDescending(k => k.PerActivity)
                .Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Key} {k.PerActivity:N1}")));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {seconds:N1} s, {rates[^1]:N0} events/s, {perActivity[^1]:N1} requests/activity ({kinds}); load {loads[^1]}"));
        }

        var rate = Stats.Median(rates);
        var requestsPerActivity = Stats.Median(perActivity);
        return
        [
            new(name, $"{instances} x 5 activities, events/s", rate, "events/s", ">= 445", rate >= 445,
                string.Create(CultureInfo.InvariantCulture, $"median of {repetitions} ({string.Join(", ", rates.Select(x => x.ToString("N0", CultureInfo.InvariantCulture)))}); load {string.Join("/", loads)}; {settings}")),
            new(name, "storage requests per activity", requestsPerActivity, "requests", "-", null, $"last run: {kinds}"),
        ];
    }

    /// <summary>Starts N HelloCities5 instances at once and waits until every one is Completed; the seconds it took.</summary>
    private static async Task<double> RunHelloCitiesAsync(EngineUnderTest engine, int instances, TimeSpan limit)
    {
        var returnedBefore = Interlocked.Read(ref s_orchestrationsReturned);
        var started = Stopwatch.GetTimestamp();
        var ids = new string[instances];
        await Parallel.ForAsync(0, instances, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
            ids[i] = await engine.Client.ScheduleNewOrchestrationInstanceAsync("HelloCities5", null, null, ct));

        // The orchestrators' own signal first (no storage traffic), then the Instances table confirms they are Completed.
        var activitiesBefore = Interlocked.Read(ref s_activitiesRun);
        var lastProgress = started;
        while (Interlocked.Read(ref s_orchestrationsReturned) - returnedBefore < instances)
        {
            ThrowIfPast(started, limit, () => $"{Interlocked.Read(ref s_orchestrationsReturned) - returnedBefore} of {instances} HelloCities5 instances returned");
            if (Stopwatch.GetElapsedTime(lastProgress) >= ProgressEvery)
            {
                lastProgress = Stopwatch.GetTimestamp();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"E: {Stopwatch.GetElapsedTime(started).TotalSeconds:N0} s: {Interlocked.Read(ref s_orchestrationsReturned) - returnedBefore} of {instances} returned, {Interlocked.Read(ref s_activitiesRun) - activitiesBefore} activities run, {engine.Counter.Total} requests; load {BenchRunner.LoadAverage()}"));
            }

            await Task.Delay(10);
        }

        await WaitAllCompletedAsync(engine.Client, ids.ToHashSet(StringComparer.Ordinal), started, limit);
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>S3: one orchestration fanning out N activities, bounded; how far it got, and where the time went.</summary>
    private static async Task<IReadOnlyList<BenchResult>> FanOutAsync(string connection, EngineSettingsProfile profile, int n, int repetitions, TimeSpan limit)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"S3 fan-out {n:N0} [{profile.Name}]");
        var times = new List<double>();
        var perActivity = new List<double>();
        var loads = new List<double>();
        var notes = "";
        string? settings = null;
        for (var r = 0; r < repetitions; r++)
        {
            await using var engine = await EngineUnderTest.StartAsync(connection, profile);
            settings = engine.Settings;
            await RunHelloCitiesAsync(engine, 1, HelloCitiesLimit); // warm-up
            loads.Add(BenchRunner.LoadAverage());
            var before = engine.Counter.Total;
            var activitiesBefore = Interlocked.Read(ref s_activitiesRun);
            var episodesBefore = Interlocked.Read(ref s_fanOutEpisodes);
            var started = Stopwatch.GetTimestamp();
            var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("FanOut", n);
            var progress = new List<string>();
            var lastProgress = started;
            OrchestrationMetadata? state = null;
            while (Stopwatch.GetElapsedTime(started) < limit)
            {
                state = await engine.Client.GetInstancesAsync(id, getInputsAndOutputs: true);
                if (state?.IsCompleted == true)
                {
                    break;
                }

                if (Stopwatch.GetElapsedTime(lastProgress) >= ProgressEvery)
                {
                    lastProgress = Stopwatch.GetTimestamp();
                    progress.Add(string.Create(CultureInfo.InvariantCulture, $"{Stopwatch.GetElapsedTime(started).TotalSeconds:N0}s:{Interlocked.Read(ref s_activitiesRun) - activitiesBefore}"));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {progress[^1]} activities run, {Interlocked.Read(ref s_fanOutEpisodes) - episodesBefore} episodes, {engine.Counter.Total - before} requests"));
                }

                await Task.Delay(100);
            }

            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var ran = Interlocked.Read(ref s_activitiesRun) - activitiesBefore;
            var episodes = Interlocked.Read(ref s_fanOutEpisodes) - episodesBefore;
            var requests = engine.Counter.Total - before;
            var completed = state?.RuntimeStatus == OrchestrationRuntimeStatus.Completed;
            if (completed && state!.ReadOutputAs<long>() != Enumerable.Range(1, n).Sum(i => (long)i * i))
            {
                throw new InvalidOperationException($"{name}: completed with a wrong sum");
            }

            notes = string.Create(CultureInfo.InvariantCulture,
                $"{(completed ? "completed" : $"NOT completed ({state?.RuntimeStatus})")} after {seconds:N1} s; {ran:N0} activities run; {episodes:N0} orchestrator episodes; {requests:N0} requests; progress {string.Join(" ", progress)}");
            Console.WriteLine($"{name}: {notes}; load {loads[^1]}");
            times.Add(completed ? seconds : double.PositiveInfinity);
            perActivity.Add(requests / (double)Math.Max(1, ran));
            if (!completed)
            {
                // The engine is left mid-run; the next repetition gets a hub of its own anyway.
                break;
            }
        }

        var median = Stats.Median(times);
        var target = n == 1_000 ? "< 8 s" : "report";
        return
        [
            new(name, "submit -> Completed", median, "s", target, n == 1_000 ? median < 8 : null,
                string.Create(CultureInfo.InvariantCulture, $"median of {times.Count} ({string.Join(", ", times.Select(x => x.ToString("N1", CultureInfo.InvariantCulture)))}); load {string.Join("/", loads)}; {settings}; last: {notes}")),
            new(name, "storage requests per activity run", Stats.Median(perActivity), "requests", "-", null),
        ];
    }

    private static async Task WaitAllCompletedAsync(DurableTaskClient client, HashSet<string> ids, long started, TimeSpan limit)
    {
        var query = new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running], PageSize = 1000 };
        while (true)
        {
            var open = 0;
            await foreach (var instance in client.GetAllInstancesAsync(query))
            {
                open += ids.Contains(instance.InstanceId) ? 1 : 0;
            }

            if (open == 0)
            {
                break;
            }

            ThrowIfPast(started, limit, () => $"{open} of {ids.Count} instances still pending or running");
            await Task.Delay(50);
        }

        var failed = 0;
        await foreach (var instance in client.GetAllInstancesAsync(new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated], PageSize = 1000 }))
        {
            failed += ids.Contains(instance.InstanceId) ? 1 : 0;
        }

        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} of {ids.Count} instances failed or were terminated.");
        }
    }

    private static void ThrowIfPast(long started, TimeSpan limit, Func<string> state)
    {
        if (Stopwatch.GetElapsedTime(started) > limit)
        {
            throw new TimeoutException($"Not done within {limit}: {state()}.");
        }
    }

    /// <summary>The host's engine and client on a fresh task hub; the hub is deleted on dispose.</summary>
    private sealed class EngineUnderTest : IAsyncDisposable
    {
        private readonly ServiceProvider _services;
        private readonly AzureStorageOrchestrationService _service;
        private readonly TaskHubEngine _engine;

        private EngineUnderTest(ServiceProvider services, AzureStorageOrchestrationService service, TaskHubEngine engine, StorageRequestCounter counter, string settings)
        {
            _services = services;
            _service = service;
            _engine = engine;
            Counter = counter;
            Settings = settings;
            Client = new LocalDurableTaskClient(service, ResearchJson.Converter);
        }

        public LocalDurableTaskClient Client { get; }

        public StorageRequestCounter Counter { get; }

        public string Settings { get; }

        public static async Task<EngineUnderTest> StartAsync(string connection, EngineSettingsProfile profile)
        {
            var hub = "bench" + Guid.NewGuid().ToString("N")[..12];
            var counter = new StorageRequestCounter();

            // No engine logging by default: DTFx logs every message at Information, which measures the console, not the
            // engine. BENCH_ENGINE_LOG=Warning (or another level) shows the engine's own lines when a run misbehaves.
            ILoggerFactory logs = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("BENCH_ENGINE_LOG"), out var level)
                ? LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(level))
                : NullLoggerFactory.Instance;
            var settings = profile.Create(hub, counter.CreateProvider(connection), logs);
            var service = new AzureStorageOrchestrationService(settings);
            var services = new ServiceCollection().BuildServiceProvider();
            var engine = new TaskHubEngine(service, Registry(), new DurableTaskWorkerOptions { DataConverter = ResearchJson.Converter }, services, logs, hub);
            await engine.StartAsync(CancellationToken.None);
            return new EngineUnderTest(services, service, engine, counter, EngineSettingsProfile.Describe(settings));
        }

        public async ValueTask DisposeAsync()
        {
            await _engine.StopAsync(CancellationToken.None);
            await _engine.DisposeAsync();
            try
            {
                await _service.DeleteAsync();
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or InvalidOperationException)
            {
                Console.WriteLine($"E: the task hub could not be deleted ({ex.Message}); Azurite is discarded at the end anyway");
            }

            await _services.DisposeAsync();
        }
    }
}
