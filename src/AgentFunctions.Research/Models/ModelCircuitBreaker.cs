using AgentFunctions.Research.Telemetry;

namespace AgentFunctions.Research.Models;

/// <summary>
/// Counts consecutive model failures; after <see cref="CircuitBreakerOptions.FailureThreshold"/> it opens for
/// <see cref="CircuitBreakerOptions.BreakDuration"/> and fails calls fast with
/// <see cref="ModelUnavailableException"/> (whose <c>RetryAfter</c> is the rest of the cool-down), so callers
/// back off on a durable timer instead of hammering a failing service. After the cool-down one probe goes
/// through: success closes the circuit, failure opens it again.
/// </summary>
public sealed class ModelCircuitBreaker
{
    private readonly CircuitBreakerOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private CircuitState _state = CircuitState.Closed;
    private int _consecutiveFailures;
    private DateTimeOffset _openUntil;
    private bool _probeInFlight;

    /// <summary>Creates a closed breaker.</summary>
    /// <param name="options">Threshold, cool-down and name; defaults when null.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    public ModelCircuitBreaker(CircuitBreakerOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new CircuitBreakerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.FailureThreshold, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.BreakDuration, TimeSpan.Zero);
        _time = timeProvider ?? TimeProvider.System;
        ResearchTelemetry.TrackBreaker(this);
    }

    /// <summary>Raised after every state transition (outside the breaker's lock).</summary>
    public event EventHandler<CircuitStateChange>? StateChanged;

    /// <summary>The breaker's name.</summary>
    public string Name => _options.Name;

    /// <summary>The current state. An open circuit whose cool-down has passed reads as half-open.</summary>
    public CircuitState State
    {
        get
        {
            lock (_gate)
            {
                return _state == CircuitState.Open && _time.GetUtcNow() >= _openUntil ? CircuitState.HalfOpen : _state;
            }
        }
    }

    /// <summary>Failures counted since the last success.</summary>
    public int ConsecutiveFailures
    {
        get
        {
            lock (_gate)
            {
                return _consecutiveFailures;
            }
        }
    }

    /// <summary>Admits a call or throws <see cref="ModelUnavailableException"/> when the circuit is open.</summary>
    public void EnsureCallAllowed()
    {
        CircuitStateChange? change = null;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_state == CircuitState.Open)
            {
                if (now < _openUntil)
                {
                    throw Unavailable(_openUntil - now);
                }

                change = Transition(CircuitState.HalfOpen, now);
            }

            if (_state == CircuitState.HalfOpen)
            {
                if (_probeInFlight)
                {
                    // Another call is probing; let callers come back after a short wait rather than pile on.
                    throw Unavailable(TimeSpan.FromTicks(Math.Max(_options.BreakDuration.Ticks / 10, TimeSpan.TicksPerSecond)));
                }

                _probeInFlight = true;
            }
        }

        Raise(change);
    }

    /// <summary>Reports that an admitted call succeeded.</summary>
    public void RecordSuccess()
    {
        CircuitStateChange? change = null;
        lock (_gate)
        {
            _consecutiveFailures = 0;
            _probeInFlight = false;
            if (_state != CircuitState.Closed)
            {
                change = Transition(CircuitState.Closed, _time.GetUtcNow());
            }
        }

        Raise(change);
    }

    /// <summary>Reports that an admitted call failed in a way that says the service is unhealthy.</summary>
    public void RecordFailure()
    {
        CircuitStateChange? change = null;
        lock (_gate)
        {
            _consecutiveFailures++;
            var probeFailed = _state == CircuitState.HalfOpen;
            _probeInFlight = false;
            if (probeFailed || (_state == CircuitState.Closed && _consecutiveFailures >= _options.FailureThreshold))
            {
                var now = _time.GetUtcNow();
                _openUntil = now + _options.BreakDuration;
                change = Transition(CircuitState.Open, now);
            }
        }

        Raise(change);
    }

    /// <summary>Reports that an admitted call ended without saying anything about health (e.g. cancelled).</summary>
    public void RecordNeutral()
    {
        lock (_gate)
        {
            _probeInFlight = false;
        }
    }

    private CircuitStateChange Transition(CircuitState next, DateTimeOffset now)
    {
        var change = new CircuitStateChange(_state, next, now);
        _state = next;
        return change;
    }

    private void Raise(CircuitStateChange? change)
    {
        if (change is not null)
        {
            StateChanged?.Invoke(this, change);
        }
    }

    private ModelUnavailableException Unavailable(TimeSpan retryAfter) => new(
        $"Model circuit '{Name}' is open after {_consecutiveFailures} consecutive failures; retry after {retryAfter.TotalSeconds:0.#} s.",
        retryAfter);
}
