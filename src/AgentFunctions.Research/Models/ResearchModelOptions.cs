using AgentFunctions.Research.Agents;

namespace AgentFunctions.Research.Models;

/// <summary>Options of the model layer as registered by <see cref="ResearchModelServiceCollectionExtensions.AddResearchAgents"/>.</summary>
public sealed class ResearchModelOptions
{
    /// <summary>Planner limits.</summary>
    public AgentOptions Planner { get; } = new();

    /// <summary>Source validator limits.</summary>
    public AgentOptions SourceValidator { get; } = new();

    /// <summary>Synthesizer limits.</summary>
    public AgentOptions Synthesizer { get; } = new();

    /// <summary>Citation checker limits and whether it asks the model about support.</summary>
    public CitationCheckerOptions CitationChecker { get; } = new();

    /// <summary>Retries and timeout of model calls.</summary>
    public ModelClientOptions Client { get; } = new();

    /// <summary>The circuit breaker in front of the model.</summary>
    public CircuitBreakerOptions Breaker { get; } = new();

    /// <summary>Samples per agent kept by the <see cref="Telemetry.AgentStatsRecorder"/>.</summary>
    public int StatsWindow { get; set; } = 512;
}
