using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AgentFunctions.Durable;

/// <summary>
/// The runtime's traces and metrics, under the name <c>AgentFunctions.Durable</c>; a host exports them with
/// OpenTelemetry or Application Insights by subscribing to that source and meter.
/// </summary>
public static class DurableTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "AgentFunctions.Durable";

    /// <summary>Spans for orchestration episodes and activity executions.</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    /// <summary>Runtime metrics.</summary>
    public static readonly Meter Meter = new(Name);

    internal static readonly Counter<long> Episodes = Meter.CreateCounter<long>("durable.orchestration.episodes", description: "Orchestration episodes committed.");
    internal static readonly Counter<long> ReplayedEvents = Meter.CreateCounter<long>("durable.orchestration.replayed_events", description: "History events replayed on cache misses.");
    internal static readonly Counter<long> CacheHits = Meter.CreateCounter<long>("durable.orchestration.cache_hits", description: "Episodes served by a cached session.");
    internal static readonly Counter<long> Completions = Meter.CreateCounter<long>("durable.orchestration.completions", description: "Executions that reached a final status.");
    internal static readonly Histogram<double> EpisodeDuration = Meter.CreateHistogram<double>("durable.orchestration.episode.duration", "ms", "Time to run and commit one episode.");
    internal static readonly Counter<long> ActivityExecutions = Meter.CreateCounter<long>("durable.activity.executions", description: "Activity executions, by outcome.");
    internal static readonly Histogram<double> ActivityDuration = Meter.CreateHistogram<double>("durable.activity.duration", "ms", "Activity execution time.");
    internal static readonly Counter<long> DroppedMessages = Meter.CreateCounter<long>("durable.messages.dropped", description: "Duplicate or stale messages discarded.");
}
