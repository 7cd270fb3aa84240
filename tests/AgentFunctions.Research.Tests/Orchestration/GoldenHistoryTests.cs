using AgentFunctions.Research.Activities;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;
using DurableTask.Core;
using DurableTask.Core.Command;
using DurableTask.Core.Exceptions;
using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using TaskOrchestrationContext = Microsoft.DurableTask.TaskOrchestrationContext;

namespace AgentFunctions.Research.Tests.Orchestration;

/// <summary>
/// Histories of every orchestration path, recorded from the in-memory engine and committed under <c>Golden/</c>, replayed
/// against the current orchestrators by DurableTask.Core's own <see cref="TaskOrchestrationExecutor"/> (the SDK's shim
/// adapting our classes, with <see cref="ResearchJson.Converter"/> as the worker uses it). A change that would break
/// runs in flight (a step added, removed or reordered before the end of a recorded run) fails here.
/// </summary>
/// <remarks>
/// Re-record deliberately, after a change meant to alter the histories (and only with a plan for runs in flight):
/// <c>AGENTFUNCTIONS_RECORD_GOLDEN=1 dotnet test tests/AgentFunctions.Research.Tests -c Release --filter GoldenHistoryTests</c>
/// writes <c>tests/AgentFunctions.Research.Tests/Golden/&lt;scenario&gt;.json</c> in the source tree; review and commit them.
/// </remarks>
public sealed class GoldenHistoryTests
{
    private const string RecordVariable = "AGENTFUNCTIONS_RECORD_GOLDEN";

    private static readonly Dictionary<string, Func<ITaskOrchestrator>> s_orchestrators = new(StringComparer.Ordinal)
    {
        [nameof(ResearchOrchestrator)] = () => new ResearchOrchestrator(),
        [nameof(BatchOrchestrator)] = () => new BatchOrchestrator(),
    };

    public static TheoryData<string> Scenarios => [.. PipelineScenarios.All.Keys];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Replay_GoldenHistory_CompletesWithRecordedOutputAndNoNewAction(string scenario)
    {
        // Arrange
        var path = Path.Combine(AppContext.BaseDirectory, "Golden", $"{scenario}.json");
        if (Environment.GetEnvironmentVariable(RecordVariable) == "1")
        {
            path = SourcePath(scenario);
            await RecordAsync(PipelineScenarios.All[scenario], path);
        }

        var history = GoldenHistory.Deserialize(await File.ReadAllTextAsync(path));
        var started = history.OfType<ExecutionStartedEvent>().Single();
        var recorded = history.OfType<ExecutionCompletedEvent>().Single();

        // Act
        var replay = Replay(history, s_orchestrators[started.Name]());

        // Assert: the only action is the completion the history already holds, with the same output.
        var action = Assert.Single(replay.Actions);
        var completion = Assert.IsType<OrchestrationCompleteOrchestratorAction>(action);
        Assert.True(completion.OrchestrationStatus == OrchestrationStatus.Completed, completion.FailureDetails?.ToString() ?? completion.Result);
        Assert.Equal(OrchestrationStatus.Completed, recorded.OrchestrationStatus);
        Assert.Equal(recorded.Result, completion.Result);
        Assert.Equal(history.OfType<TaskScheduledEvent>().Count(), history.OfType<TaskCompletedEvent>().Count() + history.OfType<TaskFailedEvent>().Count());
    }

    [Fact]
    public async Task Replay_OrchestratorThatSchedulesAnotherActivity_FailsAsNonDeterministic()
    {
        // Arrange: a changed orchestrator under the recorded name, searching where the recorded run planned.
        var history = GoldenHistory.Deserialize(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Golden", "approved.json")));

        // Act
        var replay = Replay(history, new SearchFirstResearchOrchestrator());

        // Assert
        var completion = replay.Actions.OfType<OrchestrationCompleteOrchestratorAction>().Single();
        Assert.Equal(OrchestrationStatus.Failed, completion.OrchestrationStatus);
        Assert.Equal(typeof(NonDeterministicOrchestrationException).FullName, completion.FailureDetails?.ErrorType);
        Assert.Contains(nameof(PlanResearchActivity), completion.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_HistoryCutBeforeTheEnd_AsksOnlyForTheRecordedNextStep()
    {
        // Arrange: the approved run up to the reviewer's decision, as a worker would load it mid-run.
        var history = GoldenHistory.Deserialize(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Golden", "approved.json")));
        var raised = history.FindIndex(e => e is EventRaisedEvent);
        var publish = history.OfType<TaskScheduledEvent>().Single(e => e.Name == nameof(PublishReportActivity));

        // Act
        var replay = Replay(history.Take(raised + 1).ToList(), new ResearchOrchestrator());

        // Assert
        var next = Assert.IsType<ScheduleTaskOrchestratorAction>(Assert.Single(replay.Actions));
        Assert.Equal((publish.EventId, nameof(PublishReportActivity)), (next.Id, next.Name));
        Assert.Equal(publish.Input, next.Input);
    }

    private static OrchestratorExecutionResult Replay(IList<HistoryEvent> history, ITaskOrchestrator orchestrator)
    {
        var state = new OrchestrationRuntimeState(history);
        var parent = state.ParentInstance is { } p ? new ParentOrchestrationInstance(new TaskName(p.Name), p.OrchestrationInstance.InstanceId) : null;
        var factory = new DurableTaskShimFactory(new DurableTaskWorkerOptions { DataConverter = ResearchJson.Converter });
        var shim = factory.CreateOrchestration(new TaskName(state.Name), orchestrator, parent);
        return new TaskOrchestrationExecutor(state, shim, BehaviorOnContinueAsNew.Carryover, ErrorPropagationMode.UseFailureDetails).Execute();
    }

    private static async Task RecordAsync(PipelineScenario scenario, string path)
    {
        await using var host = await PipelineHost.StartAsync(scenario.Setup() with { ResearchJsonConverter = true });
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(scenario.Orchestrator, scenario.Input, new StartOrchestrationOptions { InstanceId = "golden" });
        await scenario.Drive(host, id);
        var done = await host.WaitForCompletionAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        await File.WriteAllTextAsync(path, GoldenHistory.Serialize(host.Engine.HistoryOf(id)));
    }

    private static string SourcePath(string scenario)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AgentFunctions.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("AgentFunctions.sln not found above the test output."), "tests", "AgentFunctions.Research.Tests", "Golden", $"{scenario}.json");
    }

    /// <summary>A deliberately changed <see cref="ResearchOrchestrator"/>: it searches before it plans.</summary>
    private sealed class SearchFirstResearchOrchestrator : TaskOrchestrator<ResearchRequest, ResearchResult>
    {
        public override async Task<ResearchResult> RunAsync(TaskOrchestrationContext context, ResearchRequest input)
        {
            var settings = await context.CallActivityAsync<RunSettings>(nameof(LoadRunSettingsActivity), new LoadRunSettingsInput(input));
            await context.CallActivityAsync<SearchSourcesOutput>(nameof(SearchSourcesActivity), new SearchSourcesInput(settings.Question, settings.HitsPerSubQuery));
            throw new InvalidOperationException("A replay must not get this far.");
        }
    }
}
