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

/// <summary>One recorded agent invocation, for charts of latency over time.</summary>
/// <param name="Agent">The agent name.</param>
/// <param name="At">When it was recorded.</param>
/// <param name="LatencyMs">Wall time in milliseconds.</param>
/// <param name="Failed">Whether it failed.</param>
public sealed record AgentSample(string Agent, DateTimeOffset At, double LatencyMs, bool Failed);

/// <summary>
/// Keeps a bounded window of recent agent invocations per agent so a status page can show percentiles without
/// an external metrics backend. It listens to <see cref="ResearchTelemetry.Meter"/> while alive, and can also
/// be fed directly with <see cref="Record"/>. Each sample carries its time, so figures can be asked for a period
/// (the last hour) as well as for everything the window still holds.
/// </summary>
public sealed class AgentStatsRecorder : IDisposable
{
    private readonly int _capacity;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly MeterListener? _listener;

    /// <summary>Creates a recorder.</summary>
    /// <param name="capacity">Samples kept per agent; older ones are overwritten.</param>
    /// <param name="listen">Whether to subscribe to the research meter; false for a recorder fed by hand.</param>
    /// <param name="time">The clock samples are stamped with; the system clock by default.</param>
    public AgentStatsRecorder(int capacity = 512, bool listen = true, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _time = time ?? TimeProvider.System;
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

    /// <summary>Samples kept per agent.</summary>
    public int Capacity => _capacity;

    /// <summary>Records one invocation by hand.</summary>
    /// <param name="agent">The agent name.</param>
    /// <param name="latency">Wall time.</param>
    /// <param name="outputTokens">Output tokens spent.</param>
    /// <param name="failed">Whether it failed.</param>
    public void Record(string agent, TimeSpan latency, long outputTokens, bool failed)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var window = WindowFor(agent);
        var now = _time.GetUtcNow();
        window.AddLatency(now, latency.TotalMilliseconds, failed);
        window.AddTokens(now, outputTokens);
    }

    /// <summary>The current figures over every kept sample, one entry per agent seen, ordered by agent name.</summary>
    public IReadOnlyList<AgentStats> Snapshot() =>
        [.. _windows.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => pair.Value.ToStats(pair.Key, DateTimeOffset.MinValue))];

    /// <summary>
    /// The figures over the samples recorded within <paramref name="period"/> before now (at most
    /// <see cref="Capacity"/> per agent), one entry per agent with at least one such sample.
    /// </summary>
    /// <param name="period">How far back to look.</param>
    public IReadOnlyList<AgentStats> Snapshot(TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        var since = _time.GetUtcNow() - period;
        return [.. _windows.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => pair.Value.ToStats(pair.Key, since))
            .Where(stats => stats.Samples > 0)];
    }

    /// <summary>Every kept invocation recorded within <paramref name="period"/> before now, oldest first.</summary>
    /// <param name="period">How far back to look.</param>
    public IReadOnlyList<AgentSample> Samples(TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        var since = _time.GetUtcNow() - period;
        return [.. _windows.SelectMany(pair => pair.Value.SamplesSince(pair.Key, since)).OrderBy(sample => sample.At)];
    }

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
            WindowFor(agent).AddLatency(_time.GetUtcNow(), value, failed);
        }
    }

    private void OnOutputTokens(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == ResearchTelemetry.AgentTag && tag.Value is string agent)
            {
                WindowFor(agent).AddTokens(_time.GetUtcNow(), value);
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
        private readonly DateTimeOffset[] _latencyTimes = new DateTimeOffset[capacity];
        private readonly long[] _tokens = new long[capacity];
        private readonly DateTimeOffset[] _tokenTimes = new DateTimeOffset[capacity];
        private long _latencyCount;
        private long _tokenCount;

        public void AddLatency(DateTimeOffset at, double milliseconds, bool failed)
        {
            lock (_gate)
            {
                var slot = (int)(_latencyCount % _latencies.Length);
                _latencies[slot] = milliseconds;
                _failures[slot] = failed;
                _latencyTimes[slot] = at;
                _latencyCount++;
            }
        }

        public void AddTokens(DateTimeOffset at, long tokens)
        {
            lock (_gate)
            {
                var slot = (int)(_tokenCount % _tokens.Length);
                _tokens[slot] = tokens;
                _tokenTimes[slot] = at;
                _tokenCount++;
            }
        }

        public IEnumerable<AgentSample> SamplesSince(string agent, DateTimeOffset since)
        {
            var samples = new List<AgentSample>();
            lock (_gate)
            {
                var n = (int)Math.Min(_latencyCount, _latencies.Length);
                for (var i = 0; i < n; i++)
                {
                    if (_latencyTimes[i] >= since)
                    {
                        samples.Add(new AgentSample(agent, _latencyTimes[i], _latencies[i], _failures[i]));
                    }
                }
            }

            return samples;
        }

        public AgentStats ToStats(string agent, DateTimeOffset since)
        {
            var latencies = new List<double>();
            var tokens = new List<double>();
            var failures = 0;
            long total;
            lock (_gate)
            {
                var n = (int)Math.Min(_latencyCount, _latencies.Length);
                for (var i = 0; i < n; i++)
                {
                    if (_latencyTimes[i] >= since)
                    {
                        latencies.Add(_latencies[i]);
                        failures += _failures[i] ? 1 : 0;
                    }
                }

                var m = (int)Math.Min(_tokenCount, _tokens.Length);
                for (var i = 0; i < m; i++)
                {
                    if (_tokenTimes[i] >= since)
                    {
                        tokens.Add(_tokens[i]);
                    }
                }

                total = _latencyCount;
            }

            var sortedLatencies = latencies.ToArray();
            var sortedTokens = tokens.ToArray();
            Array.Sort(sortedLatencies);
            Array.Sort(sortedTokens);
            return new AgentStats(
                agent,
                sortedLatencies.Length,
                total,
                Percentile(sortedLatencies, 0.50),
                Percentile(sortedLatencies, 0.95),
                Percentile(sortedLatencies, 0.99),
                Percentile(sortedTokens, 0.50),
                Percentile(sortedTokens, 0.95),
                sortedLatencies.Length == 0 ? 0 : (double)failures / sortedLatencies.Length);
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
