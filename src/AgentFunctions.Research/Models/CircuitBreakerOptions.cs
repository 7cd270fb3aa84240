namespace AgentFunctions.Research.Models;

/// <summary>Settings of a <see cref="ModelCircuitBreaker"/>.</summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>Consecutive failures that open the circuit. Default 5.</summary>
    public int FailureThreshold { get; set; } = 5;

    /// <summary>How long the circuit stays open before a probe is allowed. Default 30 seconds.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A name for logs and the state metric. Default <c>model</c>.</summary>
    public string Name { get; set; } = "model";
}
