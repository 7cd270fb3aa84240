using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Research.Tests.Orchestration;

/// <summary>Whole batch runs, sub-orchestrations included, on a real Durable Task engine in memory.</summary>
public sealed class BatchPipelineRunTests
{
    [Fact]
    public async Task Run_OneQuestionFails_OthersCompleteAndErrorIsRecorded()
    {
        var scenario = PipelineScenarios.All["batch-one-failing"];
        await using var host = await PipelineHost.StartAsync(scenario.Setup());
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(BatchOrchestrator), scenario.Input, new StartOrchestrationOptions { InstanceId = "batch-b1" });

        var done = await host.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var result = done.ReadOutputAs<BatchResult>()!;
        Assert.Equal((3, 2, 1), (result.Total, result.Succeeded, result.Failed));
        Assert.Equal(2, result.Outcomes[ResearchOutcome.NotReviewed]);
        Assert.Equal(["batch-b1-q01", "batch-b1-q02", "batch-b1-q03"], result.Items.Select(i => i.InstanceId));
        Assert.Contains("no question", result.Items[1].Error, StringComparison.Ordinal);
        Assert.Null(result.Items[1].Outcome);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, (await host.Client.GetInstanceAsync("batch-b1-q02"))!.RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await host.Client.GetInstanceAsync("batch-b1-q03"))!.RuntimeStatus);
        var status = done.ReadCustomStatusAs<BatchStatus>()!;
        Assert.Equal(new BatchStatus(3, 3, 1, 0), status);
    }

    [Fact]
    public async Task Run_ManyQuestions_NeverExceedsConcurrency()
    {
        await using var host = await PipelineHost.StartAsync();
        var questions = Enumerable.Range(0, 6).Select(_ => PipelineScenarios.Unreviewed()).ToList();
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(BatchOrchestrator), new BatchRequest("c", questions, MaxConcurrency: 2), new StartOrchestrationOptions { InstanceId = "batch-c" });

        var done = await host.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var statuses = host.Engine.StatusesOf(id).Select(s => host.Converter.Deserialize<BatchStatus>(s)!).ToList();
        Assert.All(statuses, s => Assert.InRange(s.Running, 0, 2));
        Assert.Equal(6, done.ReadOutputAs<BatchResult>()!.Succeeded);
    }
}
