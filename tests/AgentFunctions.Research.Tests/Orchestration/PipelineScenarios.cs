using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;

namespace AgentFunctions.Research.Tests.Orchestration;

/// <summary>One orchestration path: what to start, on what host, and how to drive it to the end.</summary>
public sealed record PipelineScenario(string Orchestrator, object Input, Func<PipelineSetup> Setup, Func<PipelineHost, string, Task> Drive);

/// <summary>The orchestration paths, shared by the path tests and the golden histories.</summary>
public static class PipelineScenarios
{
    /// <summary>The approval timeout of runs meant to time out: timers run on the wall clock in the engine.</summary>
    public static readonly TimeSpan ShortTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The first retry interval of runs meant to retry, for the same reason.</summary>
    public static readonly TimeSpan ShortRetry = TimeSpan.FromSeconds(1);

    public static ResearchRequest Reviewed(TimeSpan? timeout = null) =>
        new(FixtureSearch.Question, MaxSources: 4, RequireApproval: true, ApprovalTimeout: timeout ?? TimeSpan.FromHours(2));

    public static ResearchRequest Unreviewed(int budget = 20_000) =>
        new(FixtureSearch.Question, MaxSources: 4, RequireApproval: false, TokenBudget: budget);

    private static Task Nothing(PipelineHost host, string id) => Task.CompletedTask;

    private static async Task DecideWhenAwaiting(PipelineHost host, string id, string decision)
    {
        await host.WaitForPhaseAsync(id, ResearchPhase.AwaitingApproval);
        await host.DecideAsync(id, decision);
    }

    public static IReadOnlyDictionary<string, PipelineScenario> All { get; } = new Dictionary<string, PipelineScenario>
    {
        ["approved"] = new(nameof(ResearchOrchestrator), Reviewed(), () => new(), (h, id) => DecideWhenAwaiting(h, id, ReviewDecision.Approve)),
        ["rejected"] = new(nameof(ResearchOrchestrator), Reviewed(), () => new(), (h, id) => DecideWhenAwaiting(h, id, ReviewDecision.Reject)),
        ["revise-then-approve"] = new(nameof(ResearchOrchestrator), Reviewed(), () => new(), async (h, id) =>
        {
            await h.WaitForPhaseAsync(id, ResearchPhase.AwaitingApproval);
            await h.DecideAsync(id, ReviewDecision.Revise, "Please make it shorter, and focus on durable timers.");
            await h.WaitForPhaseAsync(id, ResearchPhase.AwaitingApproval, s => s.Revisions == 1);
            await h.DecideAsync(id, ReviewDecision.Approve);
        }),
        ["timed-out"] = new(nameof(ResearchOrchestrator), Reviewed(ShortTimeout), () => new(), Nothing),
        ["budget-exceeded"] = new(nameof(ResearchOrchestrator), Unreviewed(budget: 2_500), () => new(), Nothing),
        ["search-failure"] = new(nameof(ResearchOrchestrator), Unreviewed(), () => new() { Search = new FixtureSearch(failingCalls: 1) }, Nothing),
        ["all-rejected"] = new(nameof(ResearchOrchestrator), Unreviewed(), () => new() { Search = new FixtureSearch(offTopicOnly: true) }, Nothing),
        ["citation-redraft"] = new(nameof(ResearchOrchestrator), Unreviewed(), () => new()
        {
            Model = new ScriptedOfflineModel(unsupportedChecks: 1),
            Configure = o => o.VerifyCitationSupportWithModel = true,
        }, Nothing),
        ["model-unavailable"] = new(nameof(ResearchOrchestrator), Unreviewed(), () => new()
        {
            Model = new ScriptedOfflineModel(outageCalls: 1),
            Configure = o => o.ModelRetry.FirstInterval = ShortRetry,
        }, Nothing),
        ["batch-one-failing"] = new(
            nameof(BatchOrchestrator),
            new BatchRequest("b1", [Unreviewed(), new ResearchRequest("   "), Unreviewed() with { Question = "How do durable timers handle timeouts?" }], RequireApproval: false, MaxConcurrency: 2),
            () => new(),
            Nothing),
    };
}
