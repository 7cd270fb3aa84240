using AgentFunctions.Research.Contracts;

namespace AgentFunctions.Research.Publishing;

/// <summary>Where published research results are kept. Saving is an upsert by instance id, so a retried publish is harmless.</summary>
public interface IReportStore
{
    /// <summary>Stores (or replaces) the published result of a run.</summary>
    /// <param name="report">The result and its run.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task SaveAsync(PublishedReport report, CancellationToken cancellationToken);

    /// <summary>The published result of a run, or null when none was published.</summary>
    /// <param name="instanceId">The run's instance id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<PublishedReport?> GetAsync(string instanceId, CancellationToken cancellationToken);
}

/// <summary>A published research result.</summary>
/// <param name="InstanceId">The run that produced it.</param>
/// <param name="Result">The run's output, as the orchestration returns it.</param>
/// <param name="PublishedAt">When the run published it (orchestration time).</param>
public sealed record PublishedReport(string InstanceId, ResearchResult Result, DateTimeOffset PublishedAt);
