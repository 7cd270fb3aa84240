using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Models;

namespace AgentFunctions.Research.Telemetry;

/// <summary>
/// The research pipeline's traces and metrics. Exporters (OpenTelemetry, Application Insights) subscribe by
/// <see cref="SourceName"/>; nothing here depends on a backend.
/// </summary>
public static class ResearchTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> and of the <see cref="Meter"/>.</summary>
    public const string SourceName = "AgentFunctions.Research";

    /// <summary>Histogram of one agent invocation's wall time, repairs included, in milliseconds.</summary>
    public const string AgentLatencyInstrument = "research.agent.duration";

    /// <summary>Histogram of output tokens spent by one agent invocation.</summary>
    public const string OutputTokensInstrument = "research.agent.output_tokens";

    /// <summary>Histogram of input tokens spent by one agent invocation.</summary>
    public const string InputTokensInstrument = "research.agent.input_tokens";

    /// <summary>Counter of repair round-trips (a reply failed validation and the model was asked again).</summary>
    public const string RepairsInstrument = "research.agent.repairs";

    /// <summary>Counter of sources the validator rejected.</summary>
    public const string RejectionsInstrument = "research.agent.rejections";

    /// <summary>Counter of agent invocations that ended in an exception.</summary>
    public const string FailuresInstrument = "research.agent.failures";

    /// <summary>Gauge of each model circuit breaker: 0 closed, 1 half-open, 2 open.</summary>
    public const string BreakerStateInstrument = "research.model.breaker.state";

    /// <summary>Tag naming the agent.</summary>
    public const string AgentTag = "agent";

    /// <summary>Tag with <c>success</c> or <c>failure</c>.</summary>
    public const string OutcomeTag = "outcome";

    private static readonly ConditionalWeakTable<ModelCircuitBreaker, object?> s_breakers = [];

    /// <summary>Spans for agent invocations.</summary>
    public static ActivitySource ActivitySource { get; } = new(SourceName);

    /// <summary>The meter every research instrument belongs to.</summary>
    public static Meter Meter { get; } = new(SourceName);

    private static readonly Histogram<double> s_latency =
        Meter.CreateHistogram<double>(AgentLatencyInstrument, "ms", "Agent invocation wall time, repairs included.");

    private static readonly Histogram<long> s_outputTokens =
        Meter.CreateHistogram<long>(OutputTokensInstrument, "{token}", "Output tokens per agent invocation.");

    private static readonly Histogram<long> s_inputTokens =
        Meter.CreateHistogram<long>(InputTokensInstrument, "{token}", "Input tokens per agent invocation.");

    private static readonly Counter<long> s_repairs =
        Meter.CreateCounter<long>(RepairsInstrument, "{repair}", "Replies that failed validation and were asked again.");

    private static readonly Counter<long> s_rejections =
        Meter.CreateCounter<long>(RejectionsInstrument, "{source}", "Sources rejected by validation.");

    private static readonly Counter<long> s_failures =
        Meter.CreateCounter<long>(FailuresInstrument, "{call}", "Agent invocations that failed.");

    private static readonly ObservableGauge<int> s_breakerState = Meter.CreateObservableGauge(
        BreakerStateInstrument, ObserveBreakers, "{state}", "Model circuit breaker state: 0 closed, 1 half-open, 2 open.");

    /// <summary>Starts a span for one agent invocation (null when nobody listens).</summary>
    /// <param name="agent">The agent name.</param>
    public static Activity? StartAgentActivity(string agent)
    {
        var activity = ActivitySource.StartActivity($"agent {agent}", ActivityKind.Internal);
        activity?.SetTag(AgentTag, agent);
        return activity;
    }

    /// <summary>Records a completed agent invocation.</summary>
    /// <param name="agent">The agent name.</param>
    /// <param name="elapsed">Wall time, repairs included.</param>
    /// <param name="usage">Tokens and calls spent.</param>
    /// <param name="succeeded">False when the invocation threw.</param>
    public static void RecordAgentCall(string agent, TimeSpan elapsed, Usage usage, bool succeeded)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var agentTag = new KeyValuePair<string, object?>(AgentTag, agent);
        s_latency.Record(elapsed.TotalMilliseconds, agentTag, new(OutcomeTag, succeeded ? "success" : "failure"));
        s_outputTokens.Record(usage.OutputTokens, agentTag);
        s_inputTokens.Record(usage.InputTokens, agentTag);
        if (!succeeded)
        {
            s_failures.Add(1, agentTag);
        }
    }

    /// <summary>Counts one repair round-trip.</summary>
    /// <param name="agent">The agent name.</param>
    public static void RecordRepair(string agent) => s_repairs.Add(1, new KeyValuePair<string, object?>(AgentTag, agent));

    /// <summary>Counts one rejected source.</summary>
    /// <param name="agent">The agent name.</param>
    /// <param name="injection">Whether the rejection was for suspected prompt injection.</param>
    public static void RecordRejection(string agent, bool injection) => s_rejections.Add(
        1, new KeyValuePair<string, object?>(AgentTag, agent), new("injection", injection));

    /// <summary>Makes a breaker's state visible through the <see cref="BreakerStateInstrument"/> gauge.</summary>
    internal static void TrackBreaker(ModelCircuitBreaker breaker) => s_breakers.AddOrUpdate(breaker, null);

    private static IEnumerable<Measurement<int>> ObserveBreakers()
    {
        // The gauge reads live breakers only: the weak table lets a disposed client's breaker be collected.
        foreach (var (breaker, _) in s_breakers)
        {
            yield return new((int)breaker.State, new KeyValuePair<string, object?>("breaker", breaker.Name));
        }
    }

    // Keeps the observable gauge rooted; the field exists only so the instrument is created with the meter.
    internal static ObservableGauge<int> BreakerGauge => s_breakerState;
}
