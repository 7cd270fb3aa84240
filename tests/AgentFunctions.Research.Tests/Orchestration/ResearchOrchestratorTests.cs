using AgentFunctions.Research.Activities;
using AgentFunctions.Research.Agents;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Models;
using AgentFunctions.Research.Orchestration;
using AgentFunctions.Research.Publishing;
using Microsoft.DurableTask;

namespace AgentFunctions.Research.Tests.Orchestration;

/// <summary>Every branch of <see cref="ResearchOrchestrator"/> over a Moq <see cref="TaskOrchestrationContext"/>.</summary>
public sealed class ResearchOrchestratorTests
{
    private static readonly Usage Call = new(100, 20, 1);

    private static readonly SearchHit[] Hits = [FixtureSearch.Retries, FixtureSearch.Injected, FixtureSearch.Timeouts, FixtureSearch.Cooking];

    private static ResearchRequest Reviewed(int budget = 20_000, string? callbackUrl = null) =>
        new(FixtureSearch.Question, MaxSources: 4, RequireApproval: true, ApprovalTimeout: TimeSpan.FromHours(2), TokenBudget: budget, CallbackUrl: callbackUrl);

    private static ResearchRequest Unreviewed(int budget = 20_000, string? callbackUrl = null) =>
        Reviewed(budget, callbackUrl) with { RequireApproval = false };

    /// <summary>A context whose activities all succeed: two sub-queries, four sources (two good, one off topic, one hostile).</summary>
    private static MockedOrchestrationContext Pipeline(ResearchPipelineOptions? options = null)
    {
        options ??= new ResearchPipelineOptions();
        return new MockedOrchestrationContext()
            .OnActivity<LoadRunSettingsInput, RunSettings>(nameof(LoadRunSettingsActivity), i => LoadRunSettingsActivity.Resolve(i.Request, options, CallbackUrlPolicy.Default))
            .OnActivity<PlanResearchInput, PlanResearchOutput>(nameof(PlanResearchActivity), _ => new(new ResearchPlan([new("durable retries", "r"), new("durable timeouts", "t")]), Call))
            .OnActivity<SearchSourcesInput, SearchSourcesOutput>(nameof(SearchSourcesActivity), i => new([.. Hits.Select(h => h with { Query = i.Query })]))
            .OnActivity<ValidateSourceInput, ValidateSourceOutput>(nameof(ValidateSourceActivity), i => new(Verdict(i.Source), Call))
            .OnActivity<SynthesizeReportInput, SynthesizeReportOutput>(nameof(SynthesizeReportActivity), i => new(Draft(i), Call))
            .OnActivity<CheckCitationsInput, CheckCitationsOutput>(nameof(CheckCitationsActivity), _ => new(new CitationCheck(true, []), Usage.None))
            .OnActivity<NotifyReviewerInput, NotifyReviewerOutput>(nameof(NotifyReviewerActivity), _ => new(true))
            .OnActivity<PublishReportInput, PublishReportOutput>(nameof(PublishReportActivity), _ => new(true))
            .OnActivity<DeliverCallbackInput, DeliverCallbackOutput>(nameof(DeliverCallbackActivity), _ => new(true));
    }

    // The hostile source's verdict says "accepted" but flags injection: the orchestrator must still reject it.
    private static SourceVerdict Verdict(SearchHit source) => source.SourceId switch
    {
        "retries" or "timeouts" => new(source.SourceId, true, "On topic.", 0.9, false),
        "injected" => new(source.SourceId, true, "Carries instructions aimed at the model.", 0.8, true),
        _ => new(source.SourceId, false, "Off topic.", 0.1, false),
    };

    private static ResearchReport Draft(SynthesizeReportInput input) => new(
        input.Feedback is null ? "Retries and timeouts" : $"Revised: {input.Feedback}",
        string.Join(" ", input.Sources.Select((s, i) => $"Claim [{i + 1}].")),
        [.. input.Sources.Select((s, i) => new Citation(i + 1, s.SourceId, s.Title, s.Url, s.Content[..40]))]);

    private static Task<ResearchResult> RunAsync(MockedOrchestrationContext context, ResearchRequest request) =>
        new ResearchOrchestrator().RunAsync(context.Object, request);

    private static List<ResearchPhase> Phases(MockedOrchestrationContext context) =>
        context.StatusesAs<ResearchStatus>().Select(s => s.Phase).Aggregate(new List<ResearchPhase>(), (acc, p) => { if (acc.Count == 0 || acc[^1] != p) { acc.Add(p); } return acc; });

    private static ResearchStatus Final(MockedOrchestrationContext context) => context.StatusesAs<ResearchStatus>()[^1];

    /// <summary>Whether <paramref name="policy"/> retries an activity that failed with <typeparamref name="T"/>, asked as the engine asks it.</summary>
    private static bool Retries<T>(RetryPolicy? policy)
        where T : Exception
    {
        Assert.NotNull(policy);
        var failure = new DurableTask.Core.Exceptions.TaskFailedException(0, 1, "activity", string.Empty, "failed", null!)
        {
            FailureDetails = new DurableTask.Core.FailureDetails(typeof(T).FullName!, "failed", null, null, isNonRetriable: false),
        };
        return policy.Handle(failure);
    }

    [Fact]
    public async Task RunAsync_ReviewerApproves_PublishesWithEveryPhaseInStatus()
    {
        // Arrange
        var context = Pipeline().ThenDecide(ReviewDecision.Approve);

        // Act
        var result = await RunAsync(context, Reviewed());

        // Assert
        Assert.Equal(ResearchOutcome.Approved, result.Outcome);
        Assert.Equal(ReviewDecision.Approve, result.Review?.Decision);
        Assert.Equal(["retries", "timeouts"], result.Report!.Citations.Select(c => c.SourceId));
        Assert.Equal(["retries", "injected", "timeouts", "cooking"], result.Sources.Select(s => s.Id));
        Assert.Equal([true, false, true, false], result.Sources.Select(s => s.Accepted));
        Assert.Equal(new Usage(600, 120, 6), result.Usage);
        Assert.Equal(
            [ResearchPhase.Planning, ResearchPhase.Searching, ResearchPhase.Validating, ResearchPhase.Synthesizing, ResearchPhase.CheckingCitations, ResearchPhase.AwaitingApproval, ResearchPhase.Publishing, ResearchPhase.Finished],
            Phases(context));
        var publish = (PublishReportInput)Assert.Single(context.CallsOf(nameof(PublishReportActivity))).Input!;
        Assert.Same(result, publish.Result);
        Assert.Equal("run", publish.InstanceId);
        var notice = (NotifyReviewerInput)Assert.Single(context.CallsOf(nameof(NotifyReviewerActivity))).Input!;
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 11, 0, 0, TimeSpan.Zero), notice.Notification.DecideBy);
        Assert.Equal([ReviewDecision.EventName], context.EventWaits);
        Assert.Equal(new SourceCounts(4, 4, 2, 2, 1), Final(context).SourceCounts);
        Assert.Equal(ResearchOutcome.Approved, Final(context).Outcome);
    }

    [Fact]
    public async Task RunAsync_AwaitingApproval_StatusCarriesDraftSourcesAndDeadline()
    {
        // Arrange
        var context = Pipeline().ThenDecide(ReviewDecision.Reject);

        // Act
        await RunAsync(context, Reviewed());

        // Assert
        var awaiting = context.StatusesAs<ResearchStatus>().First(s => s.Phase == ResearchPhase.AwaitingApproval);
        Assert.NotNull(awaiting.Draft);
        Assert.NotEmpty(awaiting.Draft.Citations);
        Assert.Contains(awaiting.Sources!, s => s.Id == "injected" && !s.Accepted);
        Assert.Equal(new DateTime(2026, 1, 1, 11, 0, 0, DateTimeKind.Utc), awaiting.DecideBy);
        Assert.Equal(3, awaiting.RevisionsLeft);
        Assert.Null(awaiting.Outcome);
        Assert.Null(context.StatusesAs<ResearchStatus>().First(s => s.Phase == ResearchPhase.Synthesizing).Draft);
    }

    [Fact]
    public async Task RunAsync_ReviewerRejects_EndsRejectedWithoutPublishing()
    {
        // Arrange
        var context = Pipeline().ThenDecide(ReviewDecision.Reject, "Not convincing.");

        // Act
        var result = await RunAsync(context, Reviewed());

        // Assert
        Assert.Equal(ResearchOutcome.Rejected, result.Outcome);
        Assert.Equal("Not convincing.", result.Review?.Comment);
        Assert.NotNull(result.Report);
        Assert.Empty(context.CallsOf(nameof(PublishReportActivity)));
        Assert.Empty(context.CallsOf(nameof(DeliverCallbackActivity)));
        Assert.DoesNotContain(ResearchPhase.Publishing, Phases(context));
        Assert.Equal(ResearchOutcome.Rejected, Final(context).Outcome);
        Assert.Equal(ResearchPhase.Finished, Final(context).Phase);
    }

    [Fact]
    public async Task RunAsync_ReviseThenApprove_RedraftsWithFeedbackAndAsksAgain()
    {
        // Arrange
        var context = Pipeline()
            .ThenDecide(ReviewDecision.Revise, "Focus on durable timers.")
            .ThenDecide(ReviewDecision.Approve);

        // Act
        var result = await RunAsync(context, Reviewed());

        // Assert
        Assert.Equal(ResearchOutcome.Approved, result.Outcome);
        Assert.Equal(1, result.Revisions);
        Assert.Equal("Revised: Focus on durable timers.", result.Report!.Title);
        var drafts = context.CallsOf(nameof(SynthesizeReportActivity)).Select(c => (SynthesizeReportInput)c.Input!).ToList();
        Assert.Equal([null, "Focus on durable timers."], drafts.Select(d => d.Feedback));
        Assert.Equal(2, context.CallsOf(nameof(NotifyReviewerActivity)).Count());
        Assert.Equal([0, 1], context.CallsOf(nameof(NotifyReviewerActivity)).Select(c => ((NotifyReviewerInput)c.Input!).Notification.Revision));
        Assert.Contains(ResearchPhase.Revising, Phases(context));
        Assert.Equal(2, context.StatusesAs<ResearchStatus>().Last(s => s.Phase == ResearchPhase.AwaitingApproval).RevisionsLeft);
    }

    [Fact]
    public async Task RunAsync_RevisePastLimit_DeclinedWithNoteAndSameDeadline()
    {
        // Arrange
        var context = Pipeline(new ResearchPipelineOptions { MaxRevisions = 0 })
            .ThenDecide(ReviewDecision.Revise, "More detail please.", after: TimeSpan.FromMinutes(30))
            .ThenDecide(ReviewDecision.Approve);

        // Act
        var result = await RunAsync(context, Reviewed());

        // Assert
        Assert.Equal(ResearchOutcome.Approved, result.Outcome);
        Assert.Equal(0, result.Revisions);
        Assert.Single(context.CallsOf(nameof(SynthesizeReportActivity)));
        Assert.Contains(context.StatusesAs<ResearchStatus>(), s => s.Phase == ResearchPhase.AwaitingApproval && s.Note?.Contains("limit of 0", StringComparison.Ordinal) == true);
        Assert.Equal(2, context.Timers.Count);
        Assert.Equal(context.Timers[0], context.Timers[1]);
    }

    [Fact]
    public async Task RunAsync_DecisionNeitherApproveRejectNorRevise_IgnoredWithNote()
    {
        // Arrange
        var context = Pipeline().ThenDecide("maybe").ThenDecide(" APPROVE ");

        // Act
        var result = await RunAsync(context, Reviewed());

        // Assert
        Assert.Equal(ResearchOutcome.Approved, result.Outcome);
        Assert.Contains(context.StatusesAs<ResearchStatus>(), s => s.Note?.Contains("'maybe'", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task RunAsync_NoDecisionBeforeTimeout_EndsTimedOutWithDraft()
    {
        // Arrange
        var context = Pipeline().ThenStaySilent();

        // Act
        var result = await RunAsync(context, Reviewed());

        // Assert
        Assert.Equal(ResearchOutcome.TimedOut, result.Outcome);
        Assert.Null(result.Review);
        Assert.NotNull(result.Report);
        Assert.Equal([new DateTime(2026, 1, 1, 11, 0, 0, DateTimeKind.Utc)], context.Timers);
        Assert.Empty(context.CallsOf(nameof(PublishReportActivity)));
        Assert.Contains("No review decision arrived within 02:00:00", Final(context).Note, StringComparison.Ordinal);
        Assert.Equal(ResearchOutcome.TimedOut, Final(context).Outcome);
    }

    [Fact]
    public async Task RunAsync_BudgetTooSmallForPlanning_EndsBeforeAnyModelWork()
    {
        // Arrange: planning is estimated at 450 overhead + 18 question + 600 output = 1068 tokens.
        var context = Pipeline();

        // Act
        var result = await RunAsync(context, Unreviewed(budget: 1_000));

        // Assert
        Assert.Equal(ResearchOutcome.BudgetExceeded, result.Outcome);
        Assert.Null(result.Report);
        Assert.Equal(Usage.None, result.Usage);
        Assert.Equal([nameof(LoadRunSettingsActivity)], context.Calls.Select(c => c.Name));
        Assert.Contains("Token budget reached before planning", Final(context).Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_BudgetTooSmallForValidation_StopsAfterSearching()
    {
        // Arrange: four sources at about 830 tokens each do not fit in 3000 after planning.
        var context = Pipeline();

        // Act
        var result = await RunAsync(context, Unreviewed(budget: 3_000));

        // Assert
        Assert.Equal(ResearchOutcome.BudgetExceeded, result.Outcome);
        Assert.Null(result.Report);
        Assert.Equal(Call, result.Usage);
        Assert.Equal(2, context.CallsOf(nameof(SearchSourcesActivity)).Count());
        Assert.Empty(context.CallsOf(nameof(ValidateSourceActivity)));
        Assert.Contains("Token budget reached before validating the sources", Final(context).Note, StringComparison.Ordinal);
        Assert.Empty(context.CallsOf(nameof(PublishReportActivity)));
    }

    [Fact]
    public async Task RunAsync_BudgetTooSmallForSynthesis_EndsWithoutReport()
    {
        // Arrange: validation spends 4000 of 6000; a draft is estimated at about 2130.
        var context = Pipeline()
            .OnActivity<ValidateSourceInput, ValidateSourceOutput>(nameof(ValidateSourceActivity), i => new(Verdict(i.Source), new Usage(1_000, 0, 1)));

        // Act
        var result = await RunAsync(context, Unreviewed(budget: 6_000));

        // Assert
        Assert.Equal(ResearchOutcome.BudgetExceeded, result.Outcome);
        Assert.Null(result.Report);
        Assert.Empty(context.CallsOf(nameof(SynthesizeReportActivity)));
        Assert.Contains("Token budget reached before writing the report", Final(context).Note, StringComparison.Ordinal);
        Assert.Equal(4, result.Sources.Count);
    }

    [Fact]
    public async Task RunAsync_BudgetTooSmallForModelCitationCheck_EndsWithoutUncheckedDraft()
    {
        // Arrange: the model support check is on (500 output tokens); the draft leaves less than its estimate.
        var context = Pipeline(new ResearchPipelineOptions { VerifyCitationSupportWithModel = true })
            .OnActivity<SynthesizeReportInput, SynthesizeReportOutput>(nameof(SynthesizeReportActivity), i => new(Draft(i), new Usage(4_500, 0, 1)));

        // Act
        var result = await RunAsync(context, Unreviewed(budget: 6_000));

        // Assert
        Assert.Equal(ResearchOutcome.BudgetExceeded, result.Outcome);
        Assert.Null(result.Report);
        Assert.Empty(context.CallsOf(nameof(CheckCitationsActivity)));
        Assert.Contains("Token budget reached before checking the citations", Final(context).Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_BudgetRunsOutAtRevision_ReturnsLastCheckedDraft()
    {
        // Arrange: the first draft spends 3500 of 6000; a revision is estimated at about 2140.
        var context = Pipeline()
            .OnActivity<SynthesizeReportInput, SynthesizeReportOutput>(nameof(SynthesizeReportActivity), i => new(Draft(i), new Usage(3_500, 0, 1)))
            .ThenDecide(ReviewDecision.Revise, "More detail please.");

        // Act
        var result = await RunAsync(context, Reviewed(budget: 6_000));

        // Assert
        Assert.Equal(ResearchOutcome.BudgetExceeded, result.Outcome);
        Assert.Equal("Retries and timeouts", result.Report?.Title);
        Assert.Equal(ReviewDecision.Revise, result.Review?.Decision);
        Assert.Single(context.CallsOf(nameof(SynthesizeReportActivity)));
        Assert.Contains("Token budget reached before revising the report", Final(context).Note, StringComparison.Ordinal);
        Assert.Empty(context.CallsOf(nameof(PublishReportActivity)));
    }

    [Fact]
    public async Task RunAsync_CitationCheckFailsOnce_RedraftsWithFindingsThenPasses()
    {
        // Arrange
        var finding = new CitationFinding(1, "The quote is about something else.");
        var checks = new Queue<CitationCheck>([new CitationCheck(false, [finding]), new CitationCheck(true, [])]);
        var context = Pipeline()
            .OnActivity<CheckCitationsInput, CheckCitationsOutput>(nameof(CheckCitationsActivity), _ => new(checks.Dequeue(), Call));

        // Act
        var result = await RunAsync(context, Unreviewed());

        // Assert
        Assert.Equal(ResearchOutcome.NotReviewed, result.Outcome);
        var drafts = context.CallsOf(nameof(SynthesizeReportActivity)).Select(c => (SynthesizeReportInput)c.Input!).ToList();
        Assert.Equal(2, drafts.Count);
        Assert.Null(drafts[0].Findings);
        Assert.Equal([finding], drafts[1].Findings!);
        Assert.Contains(context.StatusesAs<ResearchStatus>(), s => s.CitationRound == 1);
        Assert.Empty(Final(context).CitationProblems);
        Assert.Single(context.CallsOf(nameof(PublishReportActivity)));
    }

    [Fact]
    public async Task RunAsync_CitationCheckNeverPasses_PublishesLastDraftWithProblemsInStatus()
    {
        // Arrange
        var finding = new CitationFinding(2, "Unsupported.");
        var context = Pipeline(new ResearchPipelineOptions { MaxCitationRounds = 1 })
            .OnActivity<CheckCitationsInput, CheckCitationsOutput>(nameof(CheckCitationsActivity), _ => new(new CitationCheck(false, [finding]), Call));

        // Act
        var result = await RunAsync(context, Unreviewed());

        // Assert
        Assert.Equal(ResearchOutcome.NotReviewed, result.Outcome);
        Assert.NotNull(result.Report);
        Assert.Equal(2, context.CallsOf(nameof(SynthesizeReportActivity)).Count());
        Assert.Equal([finding], Final(context).CitationProblems);
        Assert.Equal(1, Final(context).CitationRound);
    }

    [Fact]
    public async Task RunAsync_OneSearchFails_ContinuesWithTheOthersAndRecordsIt()
    {
        // Arrange
        var context = Pipeline()
            .OnActivity<SearchSourcesInput, SearchSourcesOutput>(nameof(SearchSourcesActivity), i => i.Query == "durable retries"
                ? throw MockedOrchestrationContext.Failure(nameof(SearchSourcesActivity), typeof(InvalidOperationException).FullName!, "Scripted search outage.")
                : new([FixtureSearch.Timeouts with { Query = i.Query }]));

        // Act
        var result = await RunAsync(context, Unreviewed());

        // Assert
        Assert.Equal(ResearchOutcome.NotReviewed, result.Outcome);
        Assert.Equal(["timeouts"], result.Sources.Select(s => s.Id));
        Assert.Equal(["timeouts"], result.Report!.Citations.Select(c => c.SourceId));
        var failure = Assert.Single(Final(context).SearchFailures);
        Assert.Equal("\"durable retries\": Scripted search outage.", failure);
        Assert.All(context.CallsOf(nameof(SearchSourcesActivity)), c => Assert.Null(c.Options));
    }

    [Fact]
    public async Task RunAsync_EverySourceRejected_SynthesizesFromNoSourcesWithoutBudgetForIt()
    {
        // Arrange
        var context = Pipeline()
            .OnActivity<SearchSourcesInput, SearchSourcesOutput>(nameof(SearchSourcesActivity), i => new([FixtureSearch.Cooking with { Query = i.Query }]));

        // Act: a budget that could not pay for a draft, which needs no model call without sources.
        var result = await RunAsync(context, Unreviewed(budget: 2_500));

        // Assert
        Assert.Equal(ResearchOutcome.NotReviewed, result.Outcome);
        Assert.All(result.Sources, s => Assert.False(s.Accepted));
        Assert.Empty(((SynthesizeReportInput)Assert.Single(context.CallsOf(nameof(SynthesizeReportActivity))).Input!).Sources);
    }

    [Fact]
    public async Task RunAsync_CallbackFailsForGood_NotedAndRunStillCompletesPublished()
    {
        // Arrange
        var context = Pipeline()
            .OnActivity<DeliverCallbackInput, DeliverCallbackOutput>(nameof(DeliverCallbackActivity), _ =>
                throw MockedOrchestrationContext.Failure(nameof(DeliverCallbackActivity), typeof(CallbackDeliveryException).FullName!, "Receiver answered 503."));

        // Act
        var result = await RunAsync(context, Unreviewed(callbackUrl: "https://receiver.example.com/cb"));

        // Assert
        Assert.Equal(ResearchOutcome.NotReviewed, result.Outcome);
        Assert.Equal([nameof(PublishReportActivity), nameof(DeliverCallbackActivity)], context.Calls.Select(c => c.Name).Where(n => n is nameof(PublishReportActivity) or nameof(DeliverCallbackActivity)));
        var callback = (DeliverCallbackInput)Assert.Single(context.CallsOf(nameof(DeliverCallbackActivity))).Input!;
        Assert.Equal("https://receiver.example.com/cb", callback.CallbackUrl);
        Assert.Same(result, callback.Result);
        Assert.Contains("The callback failed: Receiver answered 503.", Final(context).Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_RejectedWithCallbackUrl_CallsBackWithoutStoring()
    {
        // Arrange
        var context = Pipeline().ThenDecide(ReviewDecision.Reject);

        // Act
        var result = await RunAsync(context, Reviewed(callbackUrl: "https://receiver.example.com/cb"));

        // Assert
        Assert.Equal(ResearchOutcome.Rejected, ((DeliverCallbackInput)Assert.Single(context.CallsOf(nameof(DeliverCallbackActivity))).Input!).Result.Outcome);
        Assert.Empty(context.CallsOf(nameof(PublishReportActivity)));
        Assert.Equal(ResearchOutcome.Rejected, result.Outcome);
    }

    [Fact]
    public async Task RunAsync_NotifyFails_RunStillAwaitsTheReviewer()
    {
        // Arrange
        var context = Pipeline()
            .OnActivity<NotifyReviewerInput, NotifyReviewerOutput>(nameof(NotifyReviewerActivity), _ =>
                throw MockedOrchestrationContext.Failure(nameof(NotifyReviewerActivity), typeof(HttpRequestException).FullName!, "Mail relay down."))
            .ThenDecide(ReviewDecision.Approve);

        // Act
        var result = await RunAsync(context, Reviewed());

        // Assert
        Assert.Equal(ResearchOutcome.Approved, result.Outcome);
        Assert.Contains(ResearchPhase.AwaitingApproval, Phases(context));
        Assert.Single(context.CallsOf(nameof(PublishReportActivity)));
    }

    [Fact]
    public async Task RunAsync_ModelActivities_RetryOnlyModelOutagesOnThePinnedSchedule()
    {
        // Arrange
        var context = Pipeline(new ResearchPipelineOptions { ModelRetry = new DurableRetryOptions { MaxAttempts = 5, FirstInterval = TimeSpan.FromSeconds(7), MaxInterval = TimeSpan.FromMinutes(1) } });

        // Act
        await RunAsync(context, Unreviewed());

        // Assert
        var policy = context.CallsOf(nameof(PlanResearchActivity)).Single().Options?.Retry?.Policy;
        Assert.NotNull(policy);
        Assert.Equal(5, policy.MaxNumberOfAttempts);
        Assert.Equal(TimeSpan.FromSeconds(7), policy.FirstRetryInterval);
        Assert.True(Retries<ModelUnavailableException>(policy));
        Assert.False(Retries<AgentOutputException>(policy));
        Assert.False(Retries<NonRetryableException>(policy));
        Assert.All(
            context.Calls.Where(c => c.Name is nameof(ValidateSourceActivity) or nameof(SynthesizeReportActivity) or nameof(CheckCitationsActivity)),
            c => Assert.Equal(5, c.Options?.Retry?.Policy?.MaxNumberOfAttempts));
    }

    [Fact]
    public async Task RunAsync_CallbackAndStore_RetryAsConfiguredButNeverNonRetryable()
    {
        // Arrange
        var context = Pipeline(new ResearchPipelineOptions { CallbackRetry = new DurableRetryOptions { MaxAttempts = 2 } });

        // Act
        await RunAsync(context, Unreviewed(callbackUrl: "https://receiver.example.com/cb"));

        // Assert
        var callback = context.CallsOf(nameof(DeliverCallbackActivity)).Single().Options?.Retry?.Policy;
        var store = context.CallsOf(nameof(PublishReportActivity)).Single().Options?.Retry?.Policy;
        Assert.Equal(2, callback?.MaxNumberOfAttempts);
        Assert.Equal(2, store?.MaxNumberOfAttempts);
        Assert.True(Retries<CallbackDeliveryException>(callback));
        Assert.False(Retries<CallbackUrlRefusedException>(callback));
        Assert.True(Retries<IOException>(store));
        Assert.False(Retries<NonRetryableException>(store));
    }
}
