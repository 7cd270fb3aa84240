using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace AgentFunctions.Research.Telemetry;

/// <summary>Latency, token and failure figures of one agent over its recent invocations.</summary>
/// <param name="Agent">The agent name.</param>
/// <param name="Samples">Invocations in the window.</param>
/// <param name="TotalCalls">Invocations seen since the recorder started (the window keeps only the latest).</param>
/// <param name="LatencyP50Ms">Median latency in milliseconds.</param>
/// <param name="LatencyP95Ms">95th percentile latency in milliseconds.</param>
/// <param name="LatencyP99Ms">99th percentile latency in milliseconds.</param>
/// <param name="OutputTokensP50">Median output tokens per invocation.</param>
/// <param name="OutputTokensP95">95th percentile output tokens per invocation.</param>
/// <param name="FailureRate">Share of the window's invocations that failed, in [0, 1].</param>
public sealed record AgentStats(
    string Agent,
    int Samples,
    long TotalCalls,
    double LatencyP50Ms,
    double LatencyP95Ms,
    double LatencyP99Ms,
    double OutputTokensP50,
    double OutputTokensP95,
    double FailureRate);

/// <summary>
/// Keeps a bounded window of recent agent invocations per agent so a status page can show percentiles without
/// an external metrics backend. It listens to <see cref="ResearchTelemetry.Meter"/> while alive, and can also
/// be fed directly with <see cref="Record"/>.
/// </summary>
public sealed class AgentStatsRecorder : IDisposable
{
    private readonly int _capacity;
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly MeterListener? _listener;

    /// <summary>Creates a recorder.</summary>
    /// <param name="capacity">Samples kept per agent; older ones are overwritten.</param>
    /// <param name="listen">Whether to subscribe to the research meter; false for a recorder fed by hand.</param>
    public AgentStatsRecorder(int capacity = 512, bool listen = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        if (!listen)
        {
            return;
        }

        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ResearchTelemetry.SourceName
                    && instrument.Name is ResearchTelemetry.AgentLatencyInstrument or ResearchTelemetry.OutputTokensInstrument)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<double>(OnLatency);
        _listener.SetMeasurementEventCallback<long>(OnOutputTokens);
        _listener.Start();
    }

    /// <summary>Records one invocation by hand.</summary>
    /// <param name="agent">The agent name.</param>
    /// <param name="latency">Wall time.</param>
    /// <param name="outputTokens">Output tokens spent.</param>
    /// <param name="failed">Whether it failed.</param>
    public void Record(string agent, TimeSpan latency, long outputTokens, bool failed)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var window = WindowFor(agent);
        window.AddLatency(latency.TotalMilliseconds, failed);
        window.AddTokens(outputTokens);
    }

    /// <summary>The current figures, one entry per agent seen, ordered by agent name.</summary>
    public IReadOnlyList<AgentStats> Snapshot() =>
        [.. _windows.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => pair.Value.ToStats(pair.Key))];

    /// <inheritdoc />
    public void Dispose() => _listener?.Dispose();

    private Window WindowFor(string agent) => _windows.GetOrAdd(agent, _ => new Window(_capacity));

    private void OnLatency(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? agent = null;
        var failed = false;
        foreach (var tag in tags)
        {
            if (tag.Key == ResearchTelemetry.AgentTag)
            {
                agent = tag.Value as string;
            }
            else if (tag.Key == ResearchTelemetry.OutcomeTag)
            {
                failed = tag.Value as string == "failure";
            }
        }

        if (agent is not null)
        {
            WindowFor(agent).AddLatency(value, failed);
        }
    }

    private void OnOutputTokens(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == ResearchTelemetry.AgentTag && tag.Value is string agent)
            {
                WindowFor(agent).AddTokens(value);
                return;
            }
        }
    }

    /// <summary>Fixed-size rings; a lock per agent is cheap next to a model call.</summary>
    private sealed class Window(int capacity)
    {
        private readonly Lock _gate = new();
        private readonly double[] _latencies = new double[capacity];
        private readonly bool[] _failures = new bool[capacity];
        private readonly long[] _tokens = new long[capacity];
        private long _latencyCount;
        private long _tokenCount;

        public void AddLatency(double milliseconds, bool failed)
        {
            lock (_gate)
            {
                var slot = (int)(_latencyCount % _latencies.Length);
                _latencies[slot] = milliseconds;
                _failures[slot] = failed;
                _latencyCount++;
            }
        }

        public void AddTokens(long tokens)
        {
            lock (_gate)
            {
                _tokens[(int)(_tokenCount % _tokens.Length)] = tokens;
                _tokenCount++;
            }
        }

        public AgentStats ToStats(string agent)
        {
            double[] latencies;
            double[] tokens;
            int failures;
            long total;
            lock (_gate)
            {
                var n = (int)Math.Min(_latencyCount, _latencies.Length);
                latencies = _latencies[..n];
                failures = _failures[..n].Count(failed => failed);
                tokens = [.. _tokens[..(int)Math.Min(_tokenCount, _tokens.Length)].Select(t => (double)t)];
                total = _latencyCount;
            }

            Array.Sort(latencies);
            Array.Sort(tokens);
            return new AgentStats(
                agent,
                latencies.Length,
                total,
                Percentile(latencies, 0.50),
                Percentile(latencies, 0.95),
                Percentile(latencies, 0.99),
                Percentile(tokens, 0.50),
                Percentile(tokens, 0.95),
                latencies.Length == 0 ? 0 : (double)failures / latencies.Length);
        }

        /// <summary>Nearest-rank percentile of sorted values (0 when empty).</summary>
        internal static double Percentile(double[] sorted, double p)
        {
            if (sorted.Length == 0)
            {
                return 0;
            }

            var rank = (int)Math.Ceiling(p * sorted.Length);
            return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
        }
    }
}
