using AgentFunctions.Host.Operations;
using AgentFunctions.Host.Review;
using AgentFunctions.Research.Orchestration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentFunctions.Host;

/// <summary>Registers the research pipeline's services, with the host's side of review and operations.</summary>
public static class ResearchPipelineRegistration
{
    /// <summary>The orchestrator a research submission starts.</summary>
    public const string ResearchOrchestratorName = nameof(ResearchOrchestrator);

    /// <summary>The orchestrator a batch message starts.</summary>
    public const string BatchOrchestratorName = nameof(BatchOrchestrator);

    /// <summary>Registers the activities' services (the engine registers the orchestrators and activities themselves).</summary>
    public static IServiceCollection AddHostedResearchPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // The host's notifier sends the signed review link; registered before the pipeline's logging default.
        services.TryAddSingleton<global::AgentFunctions.Research.Review.IReviewNotifier, SignedLinkReviewNotifier>();
        services.AddResearchPipeline(configuration);
        services.TryAddSingleton<IOperationsSnapshotSource, ResearchOperationsSnapshotSource>();
        return services;
    }
}
