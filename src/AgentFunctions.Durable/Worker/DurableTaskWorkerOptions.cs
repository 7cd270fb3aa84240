namespace AgentFunctions.Durable;

/// <summary>Worker settings; the host binds these from <c>host.json</c> <c>extensions.durableTask</c>.</summary>
public sealed record DurableTaskWorkerOptions
{
    /// <summary>Orchestration episodes processed at once (Durable Functions: maxConcurrentOrchestratorFunctions).</summary>
    public int MaxConcurrentOrchestrations { get; init; } = Environment.ProcessorCount * 10;

    /// <summary>Activities executed at once (Durable Functions: maxConcurrentActivityFunctions).</summary>
    public int MaxConcurrentActivities { get; init; } = Environment.ProcessorCount * 10;

    /// <summary>
    /// Orchestration sessions kept in memory between episodes, so a long fan-in does not replay its history
    /// for each result (Durable Functions' extended sessions). Least recently used ones are evicted first;
    /// 0 disables the cache and every episode replays from history.
    /// </summary>
    public int MaxCachedOrchestrations { get; init; } = 1024;

    /// <summary>Cap on the serialized custom status (Durable Functions allows 16 KB).</summary>
    public int MaxCustomStatusBytes { get; init; } = 16 * 1024;

    /// <summary>Pause after a backend error before a dispatcher polls again.</summary>
    public TimeSpan ErrorBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Throws if a value is out of range, naming the setting.</summary>
    public void Validate()
    {
        if (MaxConcurrentOrchestrations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentOrchestrations), MaxConcurrentOrchestrations, "maxConcurrentOrchestratorFunctions must be at least 1.");
        }

        if (MaxConcurrentActivities < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentActivities), MaxConcurrentActivities, "maxConcurrentActivityFunctions must be at least 1.");
        }

        if (MaxCachedOrchestrations < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCachedOrchestrations), MaxCachedOrchestrations, "MaxCachedOrchestrations must not be negative.");
        }

        if (MaxCustomStatusBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCustomStatusBytes), MaxCustomStatusBytes, "MaxCustomStatusBytes must be positive.");
        }
    }
}
