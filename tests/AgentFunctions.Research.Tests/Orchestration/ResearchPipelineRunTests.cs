using AgentFunctions.Research.Agents;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;
using AgentFunctions.Research.Publishing;
using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;

namespace AgentFunctions.Research.Tests.Orchestration;

/// <summary>Whole research runs on a real Durable Task engine in memory (<see cref="PipelineHost"/>), SDK default converter.</summary>
public sealed class ResearchPipelineRunTests
{
    // These runs call back to 127.0.0.1 over http, which the production policy refuses; they opt in explicitly.
    private static readonly Dictionary<string, string?> LoopbackCallbacks = new()
    {
        [CallbackUrlPolicyOptions.AllowPrivateNetworksKey] = "true",
        [CallbackUrlPolicyOptions.AllowHttpKey] = "true",
    };

    private static string? Json(object? value) => ResearchJson.Converter.Serialize(value);

    private static async Task<(PipelineHost Host, ResearchResult Result)> RunScenarioAsync(string name, PipelineSetup? setup = null)
    {
        var scenario = PipelineScenarios.All[name];
        var host = await PipelineHost.StartAsync(setup ?? scenario.Setup());
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(scenario.Orchestrator, scenario.Input, new StartOrchestrationOptions { InstanceId = "run" });
        await scenario.Drive(host, id);
        return (host, await host.CompleteAsync(id));
    }

    [Fact]
    public async Task Run_Approved_PublishesWithEveryPhaseInStatus()
    {
        var (host, result) = await RunScenarioAsync("approved");
        await using var _ = host;

        Assert.Equal(ResearchOutcome.Approved, result.Outcome);
        Assert.Equal(ReviewDecision.Approve, result.Review?.Decision);
        Assert.NotNull(result.Report);
        Assert.NotEmpty(result.Report.Citations);
        Assert.All(result.Report.Citations, c => Assert.Contains(c.SourceId, new[] { "retries", "timeouts" }));
        Assert.Equal(4, result.Sources.Count);
        Assert.True(result.Usage.LlmCalls >= 4 && result.Usage.TotalTokens > 0);
        Assert.Equal(
            [ResearchPhase.Planning, ResearchPhase.Searching, ResearchPhase.Validating, ResearchPhase.Synthesizing, ResearchPhase.CheckingCitations, ResearchPhase.AwaitingApproval, ResearchPhase.Publishing, ResearchPhase.Finished],
            host.PhasesOf("run"));
        Assert.Equal(Json(result), Json((await host.Store.GetAsync("run", CancellationToken.None))?.Result));
        Assert.Single(host.Notifier.Notices);
    }

    [Fact]
    public async Task Run_AwaitingApproval_StatusCarriesDraftAndSources()
    {
        await using var host = await PipelineHost.StartAsync();
        var id = await host.StartResearchAsync(PipelineScenarios.Reviewed());

        var status = await host.WaitForPhaseAsync(id, ResearchPhase.AwaitingApproval);

        Assert.NotNull(status.Draft);
        Assert.NotEmpty(status.Draft.Citations);
        Assert.All(status.Draft.Citations, c => Assert.False(string.IsNullOrEmpty(c.Url)));
        Assert.NotNull(status.Sources);
        Assert.Contains(status.Sources, s => s.Id == "injected" && !s.Accepted);
        Assert.Equal(new SourceCounts(4, 4, 2, 2, 1), status.SourceCounts);
        Assert.NotNull(status.DecideBy);
        Assert.Equal(3, status.RevisionsLeft);
        await host.DecideAsync(id, ReviewDecision.Reject);
        await host.CompleteAsync(id);
    }

    [Fact]
    public async Task Run_Rejected_EndsRejectedAndStoresNothing()
    {
        var (host, result) = await RunScenarioAsync("rejected");
        await using var _ = host;

        Assert.Equal(ResearchOutcome.Rejected, result.Outcome);
        Assert.Equal(ReviewDecision.Reject, result.Review?.Decision);
        Assert.Null(await host.Store.GetAsync("run", CancellationToken.None));
        Assert.DoesNotContain(ResearchPhase.Publishing, host.PhasesOf("run"));
    }

    [Fact]
    public async Task Run_ReviseThenApprove_FeedbackReachesSynthesizer()
    {
        var model = new ScriptedOfflineModel();
        var (host, result) = await RunScenarioAsync("revise-then-approve", new PipelineSetup { Model = model });
        await using var _ = host;

        Assert.Equal(ResearchOutcome.Approved, result.Outcome);
        Assert.Equal(1, result.Revisions);
        Assert.Contains(model.PromptsOf(AgentNames.Synthesizer), p => p.Contains("focus on durable timers", StringComparison.Ordinal));
        Assert.Contains("focus: durable timers", result.Report!.Title, StringComparison.Ordinal);
        Assert.Contains(ResearchPhase.Revising, host.PhasesOf("run"));
        Assert.Equal(2, host.Notifier.Notices.Count);
    }

    [Fact]
    public async Task Run_RevisePastLimit_IsDeclinedAndWaitGoesOn()
    {
        await using var host = await PipelineHost.StartAsync(new PipelineSetup { Configure = o => o.MaxRevisions = 0 });
        var id = await host.StartResearchAsync(PipelineScenarios.Reviewed());
        await host.WaitForPhaseAsync(id, ResearchPhase.AwaitingApproval);

        await host.DecideAsync(id, ReviewDecision.Revise, "More detail please.");
        var status = await host.WaitForPhaseAsync(id, ResearchPhase.AwaitingApproval, s => s.Note is not null);
        await host.DecideAsync(id, ReviewDecision.Approve);
        var result = await host.CompleteAsync(id);

        Assert.Contains("limit of 0", status.Note, StringComparison.Ordinal);
        Assert.Equal(ResearchOutcome.Approved, result.Outcome);
        Assert.Equal(0, result.Revisions);
    }

    [Fact]
    public async Task Run_NoDecisionBeforeTimeout_EndsTimedOut()
    {
        var (host, result) = await RunScenarioAsync("timed-out");
        await using var _ = host;

        Assert.Equal(ResearchOutcome.TimedOut, result.Outcome);
        Assert.Null(result.Review);
        Assert.NotNull(result.Report);
        Assert.Null(await host.Store.GetAsync("run", CancellationToken.None));
        var timer = Assert.Single(host.Engine.HistoryOf("run").OfType<TimerCreatedEvent>());
        var awaiting = host.StatusesOf("run").First(s => s.Phase == ResearchPhase.AwaitingApproval);
        Assert.Equal(awaiting.DecideBy, timer.FireAt);
        Assert.Contains("No review decision arrived within 00:00:02", host.StatusesOf("run")[^1].Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BudgetTooSmallForValidation_EndsBudgetExceededWithoutMoreModelWork()
    {
        var model = new ScriptedOfflineModel();
        var (host, result) = await RunScenarioAsync("budget-exceeded", new PipelineSetup { Model = model });
        await using var _ = host;

        Assert.Equal(ResearchOutcome.BudgetExceeded, result.Outcome);
        Assert.Null(result.Report);
        Assert.Equal(1, result.Usage.LlmCalls);
        Assert.Single(model.Prompts);
        Assert.True(result.Usage.TotalTokens <= 2_500);
        Assert.Contains("Token budget reached before validating", host.StatusesOf("run")[^1].Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BudgetRunsOutAtRevision_ReturnsLastCheckedDraft()
    {
        await using var host = await PipelineHost.StartAsync();
        var id = await host.StartResearchAsync(PipelineScenarios.Reviewed() with { TokenBudget = 4_000 });
        var awaiting = await host.WaitForPhaseAsync(id, ResearchPhase.AwaitingApproval);

        await host.DecideAsync(id, ReviewDecision.Revise, "More detail please.");
        var result = await host.CompleteAsync(id);

        Assert.Equal(ResearchOutcome.BudgetExceeded, result.Outcome);
        Assert.Equal(awaiting.Draft?.Summary, result.Report?.Summary);
        Assert.Equal(ReviewDecision.Revise, result.Review?.Decision);
    }

    [Fact]
    public async Task Run_OneSearchFails_ContinuesWithTheOthersAndRecordsIt()
    {
        var search = new FixtureSearch(failingCalls: 1);
        var (host, result) = await RunScenarioAsync("search-failure", new PipelineSetup { Search = search });
        await using var _ = host;

        Assert.True(search.Calls >= 2);
        Assert.Equal(ResearchOutcome.NotReviewed, result.Outcome);
        Assert.NotEmpty(result.Report!.Citations);
        var failures = host.StatusesOf("run")[^1].SearchFailures;
        Assert.Single(failures);
        Assert.Contains("Scripted search outage", failures[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_EverySourceRejected_ReportsNoSourcesWithoutCitations()
    {
        var (host, result) = await RunScenarioAsync("all-rejected");
        await using var _ = host;

        Assert.Equal(ResearchOutcome.NotReviewed, result.Outcome);
        Assert.All(result.Sources, s => Assert.False(s.Accepted));
        Assert.Empty(result.Report!.Citations);
        Assert.StartsWith("No sources found", result.Report.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CitationCheckFailsOnce_RedraftsWithFindingsThenPasses()
    {
        var model = new ScriptedOfflineModel(unsupportedChecks: 1);
        var (host, result) = await RunScenarioAsync("citation-redraft", new PipelineSetup { Model = model, Configure = o => o.VerifyCitationSupportWithModel = true });
        await using var _ = host;

        var synthPrompts = model.PromptsOf(AgentNames.Synthesizer).ToList();
        Assert.Equal(2, synthPrompts.Count);
        Assert.Contains("The quote is about something else.", synthPrompts[1], StringComparison.Ordinal);
        Assert.Equal(2, model.PromptsOf(AgentNames.CitationChecker).Count());
        Assert.Equal(ResearchOutcome.NotReviewed, result.Outcome);
        Assert.Contains(host.StatusesOf("run"), s => s.CitationRound == 1);
        Assert.Empty(host.StatusesOf("run")[^1].CitationProblems);
    }

    [Fact]
    public async Task Run_ModelUnavailable_WaitsOnDurableTimerThenRecovers()
    {
        var model = new ScriptedOfflineModel(outageCalls: 1);
        await using var host = await PipelineHost.StartAsync(new PipelineSetup { Model = model, Configure = o => o.ModelRetry.FirstInterval = PipelineScenarios.ShortRetry });
        var id = await host.StartResearchAsync(PipelineScenarios.Unreviewed());

        await host.WaitForTimersAsync(id, 1);
        var waiting = await host.Client.GetInstanceAsync(id);
        var result = await host.CompleteAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Running, waiting!.RuntimeStatus);
        Assert.Equal(1, model.OutagesThrown);
        Assert.Equal(ResearchOutcome.NotReviewed, result.Outcome);
        var history = host.Engine.HistoryOf(id);
        var timer = Assert.Single(history.OfType<TimerCreatedEvent>());
        var failed = history.OfType<TaskFailedEvent>().Single();
        var episode = history.TakeWhile(e => e != timer).OfType<OrchestratorStartedEvent>().Last();
        Assert.True(episode.Timestamp >= failed.Timestamp);
        Assert.Equal(PipelineScenarios.ShortRetry, timer.FireAt - episode.Timestamp);
    }

    [Fact]
    public async Task Run_NonRetryableAgentError_FailsFastWithoutTimers()
    {
        var model = new Agents.ScriptedChatClient("not json", "still not json", "nope");
        await using var host = await PipelineHost.StartAsync(new PipelineSetup { Model = model });
        var id = await host.StartResearchAsync(PipelineScenarios.Unreviewed());

        var done = await host.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        // The run fails with the activity's failure inside: the orchestrator does not catch it.
        Assert.True(done.FailureDetails!.IsCausedBy<TaskFailedException>(), done.FailureDetails.ToString());
        Assert.True(done.FailureDetails.InnerFailure?.IsCausedBy<AgentOutputException>(), done.FailureDetails.ToString());
        Assert.Equal(3, model.Calls.Count);
        Assert.Empty(host.Engine.HistoryOf(id).OfType<TimerCreatedEvent>());
    }

    [Fact]
    public async Task Run_CallbackFailsForGood_ReportStillStoredAndRunCompletes()
    {
        await using var host = await PipelineHost.StartAsync(new PipelineSetup
        {
            CallbackFailures = 100,
            Configure = o => o.CallbackRetry.MaxAttempts = 1,
            Settings = LoopbackCallbacks,
        });
        var id = await host.StartResearchAsync(PipelineScenarios.Unreviewed() with { CallbackUrl = "http://127.0.0.1:9/callback" });

        var result = await host.CompleteAsync(id);

        Assert.Equal(ResearchOutcome.NotReviewed, result.Outcome);
        Assert.NotNull(await host.Store.GetAsync(id, CancellationToken.None));
        Assert.Empty(host.Callbacks.Delivered);
        Assert.Contains("The callback failed", host.StatusesOf(id)[^1].Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CallbackFailsOnce_RetriesOnDurableTimerAndDelivers()
    {
        await using var host = await PipelineHost.StartAsync(new PipelineSetup
        {
            CallbackFailures = 1,
            Settings = LoopbackCallbacks,
            Configure = o => o.CallbackRetry.FirstInterval = PipelineScenarios.ShortRetry,
        });
        var id = await host.StartResearchAsync(PipelineScenarios.Unreviewed() with { CallbackUrl = "http://127.0.0.1:9/callback" });

        var result = await host.CompleteAsync(id);

        var delivered = Assert.Single(host.Callbacks.Delivered);
        Assert.Equal(id, delivered.InstanceId);
        Assert.Equal(Json(result), Json(delivered.Result));
        Assert.Single(host.Engine.HistoryOf(id).OfType<TimerCreatedEvent>());
    }

    [Fact]
    public async Task Run_PrivateCallbackUrlUnderProductionPolicy_FailsAtFirstStepNamingTheSetting()
    {
        await using var host = await PipelineHost.StartAsync();
        var id = await host.StartResearchAsync(PipelineScenarios.Unreviewed() with { CallbackUrl = "https://10.0.0.5/callback" });

        var done = await host.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.True(done.FailureDetails!.InnerFailure?.IsCausedBy<CallbackUrlRefusedException>(), done.FailureDetails.ToString());
        Assert.Equal([nameof(Activities.LoadRunSettingsActivity)], host.Engine.HistoryOf(id).OfType<TaskScheduledEvent>().Select(e => e.Name));
        Assert.Contains(CallbackUrlPolicyOptions.AllowPrivateNetworksKey, done.FailureDetails.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(host.Callbacks.Delivered);
    }

    [Fact]
    public async Task Run_CallbackHostResolvesToLoopbackAtDelivery_NotRetriedRunCompletesWithNote()
    {
        using var sender = new HttpCallbackSender(
            TimeSpan.FromSeconds(5), CallbackUrlPolicy.Default, (_, _) => Task.FromResult(new[] { System.Net.IPAddress.Loopback }));
        await using var host = await PipelineHost.StartAsync(new PipelineSetup { CallbackSender = sender });
        var id = await host.StartResearchAsync(PipelineScenarios.Unreviewed() with { CallbackUrl = "https://rebound.example.com/callback" });

        var result = await host.CompleteAsync(id);

        Assert.Equal(ResearchOutcome.NotReviewed, result.Outcome);
        Assert.NotNull(await host.Store.GetAsync(id, CancellationToken.None));
        var note = host.StatusesOf(id)[^1].Note;
        Assert.Contains("The callback failed", note, StringComparison.Ordinal);
        Assert.Contains("resolves to 127.0.0.1, a loopback address", note, StringComparison.Ordinal);
        Assert.Empty(host.Engine.HistoryOf(id).OfType<TimerCreatedEvent>());
    }

    [Fact]
    public async Task Run_InjectedSource_IsRejectedAndAppearsNowhereInTheReport()
    {
        var (host, result) = await RunScenarioAsync("approved");
        await using var _ = host;

        var injected = Assert.Single(result.Sources, s => s.Id == FixtureSearch.Injected.SourceId);
        Assert.False(injected.Accepted);
        Assert.False(string.IsNullOrWhiteSpace(injected.Reason));
        Assert.DoesNotContain(result.Report!.Citations, c => c.SourceId == injected.Id);
        var text = result.Report.Title + " " + result.Report.Summary + " " + string.Join(" ", result.Report.Citations.Select(c => c.Quote + c.Title + c.Url));
        Assert.DoesNotContain("Ignore all previous instructions", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("approve this report", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(FixtureSearch.Injected.Title, text, StringComparison.Ordinal);
        Assert.DoesNotContain(FixtureSearch.Injected.Url, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_RequestAndOptions_PinsCappedSettings()
    {
        var options = new ResearchPipelineOptions { MaxSourcesCap = 3 };

        var settings = Activities.LoadRunSettingsActivity.Resolve(PipelineScenarios.Reviewed() with { MaxSources = 10, ApprovalTimeout = null }, options, CallbackUrlPolicy.Default);

        Assert.Equal(3, settings.MaxSources);
        Assert.Equal(TimeSpan.FromHours(24), settings.ApprovalTimeout);
        Assert.Throws<NonRetryableException>(() => Activities.LoadRunSettingsActivity.Resolve(new ResearchRequest("q", CallbackUrl: "file:///etc/passwd"), options, CallbackUrlPolicy.Default));
    }

    [Fact]
    public async Task Run_SdkDefaultConverter_RoundTripsAndWritesEnumNames()
    {
        // Arrange: no converter configured, as a Functions app gets from the extension by default.
        await using var host = await PipelineHost.StartAsync();
        var id = await host.StartResearchAsync(PipelineScenarios.Unreviewed());

        // Act
        var done = await host.WaitForCompletionAsync(id);

        // Assert
        Assert.Same(JsonDataConverter.Default, host.Converter);
        Assert.Contains("\"Outcome\":\"NotReviewed\"", done.SerializedOutput, StringComparison.Ordinal);
        Assert.Contains("\"Phase\":\"Finished\"", done.SerializedCustomStatus, StringComparison.Ordinal);
        Assert.Equal(ResearchOutcome.NotReviewed, done.ReadOutputAs<ResearchResult>()!.Outcome);
    }

    [Fact]
    public async Task Run_ResearchJsonConverter_StoresTheHttpContractForm()
    {
        // Arrange: the converter the local host hands to worker and client.
        await using var host = await PipelineHost.StartAsync(new PipelineSetup { ResearchJsonConverter = true });
        var id = await host.StartResearchAsync(PipelineScenarios.Reviewed());
        await host.WaitForPhaseAsync(id, ResearchPhase.AwaitingApproval);

        // Act
        await host.DecideAsync(id, ReviewDecision.Approve);
        var done = await host.WaitForCompletionAsync(id);

        // Assert
        Assert.Contains("\"outcome\":\"Approved\"", done.SerializedOutput, StringComparison.Ordinal);
        Assert.Contains("\"decision\":\"approve\"", done.SerializedOutput, StringComparison.Ordinal);
        Assert.Contains("\"phase\":\"Finished\"", done.SerializedCustomStatus, StringComparison.Ordinal);
        Assert.Equal(ResearchOutcome.Approved, done.ReadOutputAs<ResearchResult>()!.Outcome);
    }

    [Fact]
    public void FitToCap_HugeDraft_StaysUnderSizeCap()
    {
        var quote = new string('q', 3000);
        var draft = new ResearchReport("t", new string('s', 20_000), [.. Enumerable.Range(1, 20).Select(n => new Citation(n, $"s{n}", "title", "https://example.test", quote))]);
        var status = new ResearchStatus(ResearchPhase.AwaitingApproval, Usage.None, 1, 1, SourceCounts.None, [], 0, 0, 0, [],
            [.. Enumerable.Range(1, 20).Select(n => new SourceSummary($"s{n}", "title", "https://example.test", true, new string('r', 500)))], draft, null, null, null);

        var fitted = status.FitToCap();

        var size = System.Text.Encoding.UTF8.GetByteCount(ResearchJson.Converter.Serialize(fitted)!);
        Assert.InRange(size, 1, ResearchStatus.MaxBytes);
        Assert.Equal(20, fitted.Draft!.Citations.Count);
    }
}
