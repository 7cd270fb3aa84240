using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;
using Microsoft.DurableTask;

namespace AgentFunctions.Research.Tests.Orchestration;

/// <summary>The branches of <see cref="BatchOrchestrator"/> over a Moq <see cref="TaskOrchestrationContext"/>.</summary>
public sealed class BatchOrchestratorTests
{
    private static ResearchRequest Question(int n) => new($"Question {n}?", RequireApproval: true);

    private static ResearchResult Result(ResearchRequest request, ResearchOutcome outcome) =>
        new(request.Question, outcome, new ResearchReport($"Report on {request.Question}", "s", []), [], null, Usage.None, 0);

    [Fact]
    public async Task RunAsync_SixQuestionsConcurrencyTwo_SlidingWindowOfTwo()
    {
        // Arrange: every run stays in flight until the test finishes it.
        var started = new List<TaskCompletionSource<ResearchResult>>();
        var ids = new List<string>();
        var mostInFlight = 0;
        var context = new MockedOrchestrationContext("batch-c").OnSubOrchestrator<ResearchRequest, ResearchResult>(nameof(ResearchOrchestrator), (request, options) =>
        {
            ids.Add(((SubOrchestrationOptions)options!).InstanceId!);
            var run = new TaskCompletionSource<ResearchResult>();
            started.Add(run);
            mostInFlight = Math.Max(mostInFlight, started.Count(s => !s.Task.IsCompleted));
            return run.Task;
        });
        var input = new BatchRequest("c", [.. Enumerable.Range(1, 6).Select(Question)], MaxConcurrency: 2);

        // Act: finish the oldest run in flight, one at a time.
        var batch = new BatchOrchestrator().RunAsync(context.Object, input);
        var inFlightWhenFinishing = new List<int>();
        for (var i = 0; i < 100 && !batch.IsCompleted; i++)
        {
            var oldest = started.FirstOrDefault(s => !s.Task.IsCompleted);
            if (oldest is null)
            {
                await Task.Yield();
                continue;
            }

            inFlightWhenFinishing.Add(started.Count(s => !s.Task.IsCompleted));
            oldest.SetResult(Result(input.Questions[started.IndexOf(oldest)], ResearchOutcome.NotReviewed));
        }

        var result = await batch;

        // Assert
        Assert.Equal(2, mostInFlight);
        Assert.Equal([2, 2, 2, 2, 2, 1], inFlightWhenFinishing);
        Assert.Equal([.. Enumerable.Range(1, 6).Select(n => $"batch-c-q0{n}")], ids);
        Assert.Equal((6, 6, 0), (result.Total, result.Succeeded, result.Failed));
        Assert.All(context.StatusesAs<BatchStatus>(), s => Assert.InRange(s.Running, 0, 2));
        Assert.Equal(new BatchStatus(6, 6, 0, 0), context.StatusesAs<BatchStatus>()[^1]);
    }

    [Fact]
    public async Task RunAsync_OneQuestionFails_ErrorRecordedOthersTallied()
    {
        // Arrange
        var outcomes = new Dictionary<string, ResearchOutcome> { ["Question 1?"] = ResearchOutcome.Approved, ["Question 3?"] = ResearchOutcome.Rejected, ["Question 4?"] = ResearchOutcome.Approved };
        var context = new MockedOrchestrationContext("batch-b1").OnSubOrchestrator<ResearchRequest, ResearchResult>(nameof(ResearchOrchestrator), (request, _) =>
            request.Question == "Question 2?"
                ? throw MockedOrchestrationContext.Failure(
                    nameof(ResearchOrchestrator),
                    typeof(TaskFailedException).FullName!,
                    "Task 'LoadRunSettingsActivity' (#0) failed with an unhandled exception: ...",
                    new TaskFailureDetails(typeof(NonRetryableException).FullName!, "The research request has no question.", null, null, null))
                : Task.FromResult(Result(request, outcomes[request.Question])));

        // Act
        var result = await new BatchOrchestrator().RunAsync(context.Object, new BatchRequest("b1", [.. Enumerable.Range(1, 4).Select(Question)], MaxConcurrency: 2));

        // Assert
        Assert.Equal((4, 3, 1), (result.Total, result.Succeeded, result.Failed));
        Assert.Equal(new Dictionary<ResearchOutcome, int> { [ResearchOutcome.Approved] = 2, [ResearchOutcome.Rejected] = 1 }, result.Outcomes);
        var failed = result.Items[1];
        Assert.Equal(("batch-b1-q02", "Question 2?", null, "The research request has no question."), (failed.InstanceId, failed.Question, failed.Outcome, failed.Error));
        Assert.Equal("Report on Question 3?", result.Items[2].ReportTitle);
        Assert.Equal([1, 2, 3, 4], result.Items.Select(i => i.Index));
        Assert.Equal(new BatchStatus(4, 4, 1, 0), context.StatusesAs<BatchStatus>()[^1]);
    }

    [Fact]
    public async Task RunAsync_RequireApprovalSetOnBatch_OverridesEveryQuestion()
    {
        // Arrange
        var requests = new List<ResearchRequest>();
        var context = new MockedOrchestrationContext().OnSubOrchestrator<ResearchRequest, ResearchResult>(nameof(ResearchOrchestrator), (request, _) =>
        {
            requests.Add(request);
            return Task.FromResult(Result(request, ResearchOutcome.NotReviewed));
        });

        // Act
        await new BatchOrchestrator().RunAsync(context.Object, new BatchRequest("a", [Question(1), Question(2) with { RequireApproval = false }], RequireApproval: false));

        // Assert
        Assert.Equal([false, false], requests.Select(r => r.RequireApproval));
    }

    [Fact]
    public async Task RunAsync_EmptyEntry_RecordedAsFailedWithoutStartingARun()
    {
        // Arrange
        var context = new MockedOrchestrationContext().OnSubOrchestrator<ResearchRequest, ResearchResult>(nameof(ResearchOrchestrator), (request, _) =>
            Task.FromResult(Result(request, ResearchOutcome.NotReviewed)));

        // Act
        var result = await new BatchOrchestrator().RunAsync(context.Object, new BatchRequest("e", [Question(1), null!]));

        // Assert
        Assert.Equal("The batch entry is empty.", result.Items[1].Error);
        Assert.Single(context.Calls);
        Assert.Equal(1, result.Failed);
    }

    [Fact]
    public async Task RunAsync_NoBatchId_ThrowsNamingTheInput()
    {
        // Arrange
        var context = new MockedOrchestrationContext();

        // Act
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => new BatchOrchestrator().RunAsync(context.Object, new BatchRequest(" ", [Question(1)])));

        // Assert
        Assert.Equal("input", ex.ParamName);
        Assert.Empty(context.Calls);
    }
}
