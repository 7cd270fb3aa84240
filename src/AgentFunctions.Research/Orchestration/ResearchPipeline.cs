using Microsoft.DurableTask;
using AgentFunctions.Research.Activities;

namespace AgentFunctions.Research.Orchestration;

/// <summary>Registers the research pipeline's orchestrators and activities with a durable task registry.</summary>
public static class ResearchPipeline
{
    /// <summary>
    /// Adds <see cref="ResearchOrchestrator"/>, <see cref="BatchOrchestrator"/> and every activity they call, each under
    /// its type name. Activities resolve their dependencies from the worker's service provider
    /// (see <see cref="ResearchPipelineServiceCollectionExtensions.AddResearchPipeline"/>).
    /// </summary>
    /// <param name="registry">The registry to add to.</param>
    /// <returns>The same registry.</returns>
    public static DurableTaskRegistry Register(DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .AddOrchestrator<ResearchOrchestrator>()
            .AddOrchestrator<BatchOrchestrator>()
            .AddActivity<LoadRunSettingsActivity>()
            .AddActivity<PlanResearchActivity>()
            .AddActivity<SearchSourcesActivity>()
            .AddActivity<ValidateSourceActivity>()
            .AddActivity<SynthesizeReportActivity>()
            .AddActivity<CheckCitationsActivity>()
            .AddActivity<NotifyReviewerActivity>()
            .AddActivity<PublishReportActivity>()
            .AddActivity<DeliverCallbackActivity>();
    }
}
