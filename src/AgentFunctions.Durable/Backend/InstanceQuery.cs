namespace AgentFunctions.Durable.Backend;

/// <summary>A filter over instances, with paging.</summary>
/// <param name="RuntimeStatus">Statuses to include; null or empty for all.</param>
/// <param name="CreatedFrom">Only instances created at or after this time.</param>
/// <param name="CreatedTo">Only instances created at or before this time.</param>
/// <param name="InstanceIdPrefix">Only ids starting with this prefix (ordinal).</param>
/// <param name="PageSize">Most results in one page.</param>
/// <param name="ContinuationToken">Where the previous page ended; null for the first page.</param>
/// <param name="FetchInputsAndOutputs">Whether results carry input, output and custom status.</param>
public sealed record InstanceQuery(
    IReadOnlyCollection<OrchestrationRuntimeStatus>? RuntimeStatus = null,
    DateTimeOffset? CreatedFrom = null,
    DateTimeOffset? CreatedTo = null,
    string? InstanceIdPrefix = null,
    int PageSize = 100,
    string? ContinuationToken = null,
    bool FetchInputsAndOutputs = false)
{
    /// <summary>True when a state passes the filter (paging aside).</summary>
    public bool Matches(OrchestrationState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return (RuntimeStatus is null || RuntimeStatus.Count == 0 || RuntimeStatus.Contains(state.RuntimeStatus))
            && (CreatedFrom is null || state.CreatedAt >= CreatedFrom)
            && (CreatedTo is null || state.CreatedAt <= CreatedTo)
            && (InstanceIdPrefix is null || state.InstanceId.StartsWith(InstanceIdPrefix, StringComparison.Ordinal));
    }
}

/// <summary>One page of query results.</summary>
/// <param name="Instances">The matching instances of this page.</param>
/// <param name="ContinuationToken">Token for the next page; null when this is the last.</param>
public sealed record InstanceQueryResult(IReadOnlyList<OrchestrationState> Instances, string? ContinuationToken);
