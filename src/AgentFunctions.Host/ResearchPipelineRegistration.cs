using AgentFunctions.Durable;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Review;
using AgentFunctions.Research.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Host;

// =====================================================================================================
// TEMPORARY — TO BE REPLACED when the research pipeline (AgentFunctions.Research: ResearchOrchestrator,
// BatchOrchestrator, activities, agents) lands. The replacement keeps this file's public surface:
//   * AddResearchPipeline(this IServiceCollection, IConfiguration), which calls services.AddDurableTask(...)
//     once with every orchestrator and activity, including NotifyReviewerActivity under
//     NotifyReviewerActivity.Name (the host's reviewer-notification contract);
//   * ResearchOrchestratorName, the orchestrator POST /api/research starts (input: ResearchRequest).
// The placeholder below exists only so the host can be run and tested before then: it walks the DESIGN
// phases with trivial content, waits for the ReviewDecision event when asked to, and returns the DESIGN
// output shape. It answers nothing.
// =====================================================================================================

/// <summary>Registers the research pipeline with the durable runtime (temporary placeholder, see file header).</summary>
public static class ResearchPipelineRegistration
{
    /// <summary>The orchestrator a research submission starts.</summary>
    public const string ResearchOrchestratorName = "ResearchOrchestrator";

    /// <summary>Registers orchestrators, activities and their services.</summary>
    public static IServiceCollection AddResearchPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // Placeholder only: a durable timer per phase, so tests can catch a run before AwaitingApproval.
        var phaseDelay = new SettingReader(configuration).Duration("AgentFunctions:Placeholder:PhaseDelay", TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromHours(1));
        services.AddDurableTask(registry => registry
            .AddOrchestrator(ResearchOrchestratorName, _ => new PlaceholderResearchOrchestrator(phaseDelay))
            .AddActivityFunc<string, string>(PlaceholderResearchOrchestrator.StepActivity, (_, phase) => phase)
            .AddActivity<NotifyReviewerActivity>(NotifyReviewerActivity.Name));
        return services;
    }

    private static DurableTaskRegistry AddActivity<T>(this DurableTaskRegistry registry, string name)
        where T : class, ITaskActivity =>
        registry.AddActivity(name, sp => ActivatorUtilities.CreateInstance<T>(sp));

    /// <summary>TEMPORARY stand-in for the real ResearchOrchestrator; see the file header.</summary>
    private sealed class PlaceholderResearchOrchestrator(TimeSpan phaseDelay) : TaskOrchestrator<ResearchRequest, ResearchResult>
    {
        public const string StepActivity = "PlaceholderResearchStep";
        private const int MaxRevisions = 3;

        public override async Task<ResearchResult> RunAsync(TaskOrchestrationContext context, ResearchRequest input)
        {
            ResearchPhase[] phases = [ResearchPhase.Planning, ResearchPhase.Searching, ResearchPhase.Validating, ResearchPhase.Synthesizing, ResearchPhase.CheckingCitations];
            foreach (var phase in phases)
            {
                await EnterAsync(context, phase);
            }

            var report = new ResearchReport(
                $"Placeholder report: {input.Question}",
                "This placeholder pipeline researched nothing [1]; the real pipeline replaces it [1].",
                [new Citation(1, "placeholder-1", "Placeholder source", "https://example.org/placeholder", "Nothing was researched.")]);
            IReadOnlyList<SourceSummary> sources = [new SourceSummary("placeholder-1", "Placeholder source", "https://example.org/placeholder", true, "Placeholder content.")];
            if (!input.RequireApproval)
            {
                await EnterAsync(context, ResearchPhase.Publishing);
                return new ResearchResult(input.Question, ResearchOutcome.NotReviewed, report, sources, null, Usage.None, 0);
            }

            var revisions = 0;
            while (true)
            {
                context.SetCustomStatus(new { phase = ResearchPhase.AwaitingApproval, draft = report, sources, usage = Usage.None, revisions });
                await context.CallActivityAsync<string>(NotifyReviewerActivity.Name, new ReviewNotice(context.InstanceId, input.Question, report.Title));
                ReviewDecision decision;
                try
                {
                    decision = await context.WaitForExternalEvent<ReviewDecision>(ReviewDecision.EventName, input.ApprovalTimeout ?? TimeSpan.FromHours(24));
                }
                catch (TaskCanceledException)
                {
                    return new ResearchResult(input.Question, ResearchOutcome.TimedOut, report, sources, null, Usage.None, revisions);
                }

                switch (decision.Decision)
                {
                    case ReviewDecision.Approve:
                        await EnterAsync(context, ResearchPhase.Publishing);
                        return new ResearchResult(input.Question, ResearchOutcome.Approved, report, sources, decision, Usage.None, revisions);
                    case ReviewDecision.Revise when revisions < MaxRevisions:
                        revisions++;
                        await EnterAsync(context, ResearchPhase.Revising);
                        report = report with { Summary = $"{report.Summary} Revision {revisions}: {decision.Comment}" };
                        break;
                    default:
                        return new ResearchResult(input.Question, ResearchOutcome.Rejected, report, sources, decision, Usage.None, revisions);
                }
            }
        }

        private async Task EnterAsync(TaskOrchestrationContext context, ResearchPhase phase)
        {
            context.SetCustomStatus(new { phase });
            if (phaseDelay > TimeSpan.Zero)
            {
                await context.CreateTimer(phaseDelay, CancellationToken.None);
            }

            await context.CallActivityAsync<string>(StepActivity, phase.ToString());
        }
    }
}
