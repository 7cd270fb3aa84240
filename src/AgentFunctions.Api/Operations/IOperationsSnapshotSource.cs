namespace AgentFunctions.Host.Operations;

/// <summary>
/// Supplies the operations page (<c>GET /ops</c>) with per-agent figures over recent runs and the circuit
/// breakers' states. The research pipeline implements it; until one is registered the page says "no data yet".
/// </summary>
public interface IOperationsSnapshotSource
{
    /// <summary>The current figures.</summary>
    Task<OperationsSnapshot> GetSnapshotAsync(CancellationToken cancellationToken);
}

/// <summary>Operations figures at one moment.</summary>
/// <param name="TakenAt">When the figures were computed.</param>
/// <param name="RunsConsidered">How many recent runs they cover.</param>
/// <param name="Agents">One row per agent (planner, searcher, validator, synthesizer, citation checker, ...).</param>
/// <param name="Breakers">Circuit breakers guarding model and search providers.</param>
public sealed record OperationsSnapshot(
    DateTimeOffset TakenAt,
    int RunsConsidered,
    IReadOnlyList<AgentOperations> Agents,
    IReadOnlyList<BreakerStatus> Breakers);

/// <summary>One agent's latency, output and failures over the recent runs.</summary>
/// <param name="Agent">Agent name.</param>
/// <param name="Calls">Calls made.</param>
/// <param name="P50">Median latency.</param>
/// <param name="P95">95th percentile latency.</param>
/// <param name="P99">99th percentile latency.</param>
/// <param name="OutputTokens">Output tokens produced.</param>
/// <param name="FailureRate">Failed calls over all calls, in [0, 1].</param>
public sealed record AgentOperations(string Agent, int Calls, TimeSpan P50, TimeSpan P95, TimeSpan P99, long OutputTokens, double FailureRate);

/// <summary>A circuit breaker's state.</summary>
/// <param name="Name">What it guards.</param>
/// <param name="State">Closed, Open, HalfOpen or Isolated.</param>
/// <param name="Since">When it entered that state, if known.</param>
public sealed record BreakerStatus(string Name, string State, DateTimeOffset? Since);
