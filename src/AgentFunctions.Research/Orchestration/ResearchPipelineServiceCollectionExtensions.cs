using AgentFunctions.Research.Configuration;
using AgentFunctions.Research.Models;
using AgentFunctions.Research.Publishing;
using AgentFunctions.Research.Review;
using AgentFunctions.Research.Search;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentFunctions.Research.Orchestration;

/// <summary>Wires the research pipeline's services.</summary>
public static class ResearchPipelineServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ResearchPipelineOptions"/> (bound from <c>AgentFunctions:Research</c> and validated), the agents
    /// (<see cref="ResearchModelServiceCollectionExtensions.AddResearchAgents"/>, with the per-agent output caps from the
    /// options), search (<see cref="SearchServiceCollectionExtensions.AddResearchSearch"/>), and defaults a host may
    /// replace by registering its own first: <see cref="IReportStore"/> (in memory), <see cref="IReviewNotifier"/>
    /// (logs), <see cref="CallbackUrlPolicy"/> (from <c>AgentFunctions:Callbacks</c>, see <see cref="CallbackUrlPolicyOptions"/>)
    /// and <see cref="ICallbackSender"/> (HTTP under that policy). Register the orchestrators with
    /// <see cref="ResearchPipeline.Register"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration (model, search and pipeline settings).</param>
    /// <param name="configure">Adjusts the options after binding.</param>
    /// <exception cref="InvalidSettingException">
    /// A pipeline, callback, model or search setting is malformed, unknown or out of range; the message names the key.
    /// </exception>
    public static IServiceCollection AddResearchPipeline(
        this IServiceCollection services, IConfiguration configuration, Action<ResearchPipelineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new ResearchPipelineOptions();
        SettingBinder.Bind(configuration.GetSection(ResearchPipelineOptions.SectionName), options);
        configure?.Invoke(options);
        options.Validate();
        ProviderSettings.Validate(configuration);

        services.TryAddSingleton(options);
        services.AddResearchAgents(ModelProviderSettings.From(key => configuration[key]), model =>
        {
            model.Planner.MaxOutputTokens = options.PlannerMaxOutputTokens;
            model.SourceValidator.MaxOutputTokens = options.ValidatorMaxOutputTokens;
            model.Synthesizer.MaxOutputTokens = options.SynthesizerMaxOutputTokens;
            model.CitationChecker.MaxOutputTokens = options.CitationCheckerMaxOutputTokens;
            model.CitationChecker.VerifySupportWithModel = options.VerifyCitationSupportWithModel;
        });
        services.AddResearchSearch(configuration);
        services.TryAddSingleton<IReportStore, InMemoryReportStore>();
        services.TryAddSingleton<IReviewNotifier, LoggingReviewNotifier>();
        var callbackPolicy = new CallbackUrlPolicy(CallbackUrlPolicyOptions.Load(configuration));
        services.TryAddSingleton(callbackPolicy);
        services.TryAddSingleton<ICallbackSender>(sp => new HttpCallbackSender(options.CallbackTimeout, sp.GetRequiredService<CallbackUrlPolicy>()));
        return services;
    }
}
