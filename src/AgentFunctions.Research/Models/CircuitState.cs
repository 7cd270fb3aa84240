namespace AgentFunctions.Research.Models;

/// <summary>The state of a <see cref="ModelCircuitBreaker"/>; the numeric values are what the state gauge reports.</summary>
public enum CircuitState
{
    /// <summary>Calls flow; failures are being counted.</summary>
    Closed = 0,

    /// <summary>The cool-down has passed; one probe call is allowed through.</summary>
    HalfOpen = 1,

    /// <summary>Calls fail fast until the cool-down ends.</summary>
    Open = 2,
}

/// <summary>A breaker state transition.</summary>
/// <param name="Previous">The state before.</param>
/// <param name="Current">The state after.</param>
/// <param name="At">When it changed.</param>
public sealed record CircuitStateChange(CircuitState Previous, CircuitState Current, DateTimeOffset At);
