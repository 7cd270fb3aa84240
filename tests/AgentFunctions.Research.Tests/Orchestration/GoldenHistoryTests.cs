using AgentFunctions.Durable;
using AgentFunctions.Durable.History;
using AgentFunctions.Durable.Testing;
using AgentFunctions.Research.Orchestration;

namespace AgentFunctions.Research.Tests.Orchestration;

/// <summary>
/// Committed histories of every orchestration path, replayed against the current code on every build: a change
/// that would break research runs in flight fails here. Regenerate deliberately with
/// <c>AGENTFUNCTIONS_REGENERATE_GOLDEN=1 dotnet test --filter GoldenHistoryTests</c>.
/// </summary>
public sealed class GoldenHistoryTests
{
    public static TheoryData<string> Scenarios => [.. PipelineScenarios.All.Keys];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Replay_GoldenHistory_ReachesRecordedOutcome(string scenario)
    {
        var definition = PipelineScenarios.All[scenario];
        if (Environment.GetEnvironmentVariable("AGENTFUNCTIONS_REGENERATE_GOLDEN") == "1")
        {
            await RecordAsync(definition, SourcePath(scenario));
            return;
        }

        var history = HistoryReplayer.Deserialize(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Golden", $"{scenario}.json")));
        var recorded = Assert.IsType<ExecutionCompletedEvent>(history[^1]);

        var result = HistoryReplayer.Replay(history, ResearchPipeline.Register(new DurableTaskRegistry()), "golden");

        Assert.True(result.Failure?.ErrorType != typeof(NonDeterministicOrchestrationException).FullName, result.Failure?.ErrorMessage);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, recorded.Status);
        Assert.Equal(recorded.Status, result.Status);
        Assert.Equal(recorded.Result, result.Output);
        Assert.Equal(0, result.PendingSteps);
    }

    private static async Task RecordAsync(PipelineScenario definition, string path)
    {
        await using var host = await PipelineHost.StartAsync(definition.Setup(), serial: true);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(definition.Orchestrator, definition.Input, new StartOrchestrationOptions("golden"));
        await definition.Drive(host, id);
        await host.WaitForCompletionAsync(id);
        var history = await host.Backend.GetHistoryAsync(id, CancellationToken.None);
        await File.WriteAllTextAsync(path, HistoryReplayer.Serialize(history) + "\n");
    }

    private static string SourcePath(string scenario)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AgentFunctions.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir!.FullName, "tests", "AgentFunctions.Research.Tests", "Golden", $"{scenario}.json");
    }
}
