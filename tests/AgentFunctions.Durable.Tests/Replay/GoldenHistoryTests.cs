using AgentFunctions.Durable.History;
using AgentFunctions.Durable.InMemory;
using AgentFunctions.Durable.Testing;
using AgentFunctions.Durable.Tests.Semantics;

namespace AgentFunctions.Durable.Tests.Replay;

/// <summary>
/// Committed histories of real runs, replayed against the current code on every build: a change that would
/// break runs in flight fails here before it ships. Regenerate deliberately with
/// <c>AGENTFUNCTIONS_REGENERATE_GOLDEN=1 dotnet test --filter GoldenHistoryTests</c>.
/// </summary>
public sealed class GoldenHistoryTests
{
    public static TheoryData<string> Scenarios => [.. GoldenScenarios.All.Keys];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Replay_GoldenHistory_ReachesRecordedOutcome(string scenario)
    {
        var definition = GoldenScenarios.All[scenario];
        var path = Path.Combine(AppContext.BaseDirectory, "Golden", $"{scenario}.json");
        if (Environment.GetEnvironmentVariable("AGENTFUNCTIONS_REGENERATE_GOLDEN") == "1")
        {
            await RecordAsync(definition, SourcePath(scenario));
            return;
        }

        var history = HistoryReplayer.Deserialize(await File.ReadAllTextAsync(path));
        var recorded = Assert.IsType<ExecutionCompletedEvent>(history[^1]);

        var result = HistoryReplayer.Replay(history, definition.Registry());

        Assert.True(result.Failure?.ErrorType != typeof(NonDeterministicOrchestrationException).FullName, result.Failure?.ErrorMessage);
        Assert.Equal(recorded.Status, result.Status);
        Assert.Equal(recorded.Result, result.Output);
        Assert.Equal(0, result.PendingSteps);
    }

    private static async Task RecordAsync(GoldenScenario definition, string path)
    {
        var time = new ManualTimeProvider();
        await using var backend = new InMemoryOrchestrationBackend(time);
        var registry = definition.Registry();
        var worker = new DurableTaskWorker(backend, registry, options: new() { MaxConcurrentActivities = 1, MaxConcurrentOrchestrations = 1 }, timeProvider: time);
        await worker.StartAsync(CancellationToken.None);
        var client = new DurableTaskClient(backend, registry, timeProvider: time);
        var id = await client.ScheduleNewOrchestrationInstanceAsync(definition.Orchestrator, definition.Input, new StartOrchestrationOptions("golden"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await definition.Drive(client, time, id, cts.Token);
        await client.WaitForInstanceCompletionAsync(id, cancellationToken: cts.Token);
        await worker.StopAsync(CancellationToken.None);
        var history = await backend.GetHistoryAsync(id, CancellationToken.None);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, HistoryReplayer.Serialize(history) + "\n");
    }

    private static string SourcePath(string scenario)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AgentFunctions.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir!.FullName, "tests", "AgentFunctions.Durable.Tests", "Golden", $"{scenario}.json");
    }
}

public sealed record GoldenScenario(
    string Orchestrator,
    object? Input,
    Func<DurableTaskRegistry> Registry,
    Func<DurableTaskClient, ManualTimeProvider, string, CancellationToken, Task> Drive);

public static class GoldenScenarios
{
    private static Task NoDriving(DurableTaskClient client, ManualTimeProvider time, string id, CancellationToken ct) => Task.CompletedTask;

    private static DurableTaskRegistry Base() => new DurableTaskRegistry()
        .AddActivityFunc<string, string>("SayHello", (_, name) => $"Hello, {name}!")
        .AddActivityFunc<int, int>("Square", (_, x) => x * x)
        .AddOrchestrator<HelloSequence>()
        .AddOrchestratorFunc<int, long>("FanOutFanIn", async (ctx, n) =>
        {
            var results = await Task.WhenAll(Enumerable.Range(1, n).Select(i => ctx.CallActivityAsync<int>("Square", i)));
            return results.Sum(x => (long)x);
        })
        .AddOrchestratorFunc<int, string>("ApprovalWithTimeout", async (ctx, minutes) =>
        {
            ctx.SetCustomStatus("waiting");
            try
            {
                return await ctx.WaitForExternalEvent<string>("Decision", TimeSpan.FromMinutes(minutes));
            }
            catch (TaskCanceledException)
            {
                return "timed out";
            }
        })
        .AddOrchestratorFunc<string, string[][]>("Parent", async (ctx, _) =>
            await Task.WhenAll(
                ctx.CallSubOrchestratorAsync<string[]>(nameof(HelloSequence), "a"),
                ctx.CallSubOrchestratorAsync<string[]>(nameof(HelloSequence), "b")));

    public static IReadOnlyDictionary<string, GoldenScenario> All { get; } = new Dictionary<string, GoldenScenario>
    {
        ["hello-sequence"] = new(nameof(HelloSequence), "x", Base, NoDriving),
        ["fan-out-fan-in"] = new("FanOutFanIn", 20, Base, NoDriving),
        ["approval-event"] = new("ApprovalWithTimeout", 60, Base, async (client, _, id, ct) =>
        {
            await client.WaitForAsync(id, false, s => s.CustomStatus == "\"waiting\"", ct);
            await client.RaiseEventAsync(id, "Decision", "approved", ct);
        }),
        ["approval-timeout"] = new("ApprovalWithTimeout", 60, Base, async (client, time, id, ct) =>
        {
            await client.WaitForAsync(id, false, s => s.CustomStatus == "\"waiting\"", ct);
            time.Advance(TimeSpan.FromMinutes(61));
        }),
        ["sub-orchestrations"] = new("Parent", null, Base, NoDriving),
    };
}
