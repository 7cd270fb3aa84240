namespace AgentFunctions.Host.Operations;

/// <summary>
/// Supplies the operations page (<c>GET /ops</c>) with per-agent figures over a recent period and the circuit
/// breakers' states. The research pipeline implements it; until one is registered the page says "no data yet".
/// </summary>
public interface IOperationsSnapshotSource
{
    /// <summary>The current figures.</summary>
    Task<OperationsSnapshot> GetSnapshotAsync(CancellationToken cancellationToken);
}

/// <summary>Operations figures at one moment.</summary>
/// <param name="TakenAt">When the figures were computed.</param>
/// <param name="Period">How far back the agent figures look (calls recorded within this period before <paramref name="TakenAt"/>).</param>
/// <param name="CallsKeptPerAgent">The most recent calls kept per agent; a busier period is cut to these.</param>
/// <param name="Agents">One row per agent that was called within the period.</param>
/// <param name="Breakers">Circuit breakers guarding model and search providers.</param>
public sealed record OperationsSnapshot(
    DateTimeOffset TakenAt,
    TimeSpan Period,
    int CallsKeptPerAgent,
    IReadOnlyList<AgentOperations> Agents,
    IReadOnlyList<BreakerStatus> Breakers)
{
    /// <summary>Agent calls within the period, oldest first, for the latency chart.</summary>
    public IReadOnlyList<AgentCall> Calls { get; init; } = [];
}

/// <summary>One agent's latency, output and failures over the period.</summary>
/// <param name="Agent">Agent name.</param>
/// <param name="Calls">Calls recorded within the period (at most the calls kept per agent).</param>
/// <param name="P50">Median latency (nearest rank).</param>
/// <param name="P95">95th percentile latency (nearest rank).</param>
/// <param name="P99">99th percentile latency (nearest rank).</param>
/// <param name="MedianOutputTokens">Median output tokens per call.</param>
/// <param name="FailureRate">Failed calls over all calls, in [0, 1].</param>
public sealed record AgentOperations(string Agent, int Calls, TimeSpan P50, TimeSpan P95, TimeSpan P99, long MedianOutputTokens, double FailureRate);

/// <summary>One agent call.</summary>
/// <param name="Agent">Agent name.</param>
/// <param name="At">When it ended.</param>
/// <param name="Latency">Its wall time.</param>
public sealed record AgentCall(string Agent, DateTimeOffset At, TimeSpan Latency);

/// <summary>A circuit breaker's state.</summary>
/// <param name="Name">What it guards.</param>
/// <param name="State">Closed, Open, HalfOpen or Isolated.</param>
/// <param name="Since">When it entered that state, if known.</param>
public sealed record BreakerStatus(string Name, string State, DateTimeOffset? Since);

/// <summary>The batch queue's depth, as the operations page shows it.</summary>
public interface IBatchQueueMonitor
{
    /// <summary>Approximate message counts of the batch queue and its poison queue.</summary>
    Task<BatchQueueDepth> GetDepthAsync(CancellationToken cancellationToken);
}

/// <summary>Approximate message counts (the storage service's own estimate).</summary>
/// <param name="Queue">The batch queue's name.</param>
/// <param name="Waiting">Messages in the batch queue, hidden ones included.</param>
/// <param name="Poison">Messages moved to the poison queue after too many failed deliveries.</param>
public sealed record BatchQueueDepth(string Queue, long Waiting, long Poison);
