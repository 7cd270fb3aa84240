using AgentFunctions.Research.Agents;
using AgentFunctions.Research.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Research.Models;

/// <summary>Registers the model layer: the provider behind a breaker, the four agents, the stats recorder.</summary>
public static class ResearchModelServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IChatClient"/> (Azure OpenAI when <c>AZURE_OPENAI_ENDPOINT</c> is set, else the offline
    /// model, composed by <see cref="ModelProviderFactory.Create"/>), <see cref="ModelCircuitBreaker"/>, the agents and
    /// <see cref="AgentStatsRecorder"/>, all singletons. <see cref="TimeProvider"/> defaults to the system clock.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="settings">The provider settings, e.g. <c>ModelProviderSettings.From(key =&gt; configuration[key])</c>.</param>
    /// <param name="configure">Adjusts agent, client, breaker and stats options.</param>
    /// <exception cref="ArgumentException">A model setting is malformed or missing; the message names the key.</exception>
    public static IServiceCollection AddResearchAgents(
        this IServiceCollection services, ModelProviderSettings settings, Action<ResearchModelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        var options = new ResearchModelOptions();
        configure?.Invoke(options);

        // Checked here, at registration, so a host refuses to start on a bad value instead of failing its first run.
        settings.Validate();
        options.Client.Validate();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(options);
        services.TryAddSingleton(sp => new ModelCircuitBreaker(options.Breaker, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => ModelProviderFactory.Create(
            settings, sp.GetRequiredService<ModelCircuitBreaker>(), options.Client, timeProvider: sp.GetRequiredService<TimeProvider>(), services: sp));
        services.TryAddSingleton(sp => new AgentStatsRecorder(options.StatsWindow, time: sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new PlannerAgent(
            sp.GetRequiredService<IChatClient>(), options.Planner, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<PlannerAgent>>()));
        services.TryAddSingleton(sp => new SourceValidatorAgent(
            sp.GetRequiredService<IChatClient>(), options.SourceValidator, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<SourceValidatorAgent>>()));
        services.TryAddSingleton(sp => new SynthesizerAgent(
            sp.GetRequiredService<IChatClient>(), options.Synthesizer, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<SynthesizerAgent>>()));
        services.TryAddSingleton(sp => new CitationCheckerAgent(
            sp.GetRequiredService<IChatClient>(), options.CitationChecker, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<CitationCheckerAgent>>()));
        return services;
    }
}
