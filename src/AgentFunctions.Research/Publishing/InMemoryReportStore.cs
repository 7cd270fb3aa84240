using System.Collections.Concurrent;

namespace AgentFunctions.Research.Publishing;

/// <summary>A process-local <see cref="IReportStore"/>; nothing survives a restart. Hosts register a durable one.</summary>
public sealed class InMemoryReportStore : IReportStore
{
    private readonly ConcurrentDictionary<string, PublishedReport> _reports = new(StringComparer.Ordinal);

    /// <summary>Reports stored.</summary>
    public int Count => _reports.Count;

    /// <inheritdoc />
    public Task SaveAsync(PublishedReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        _reports[report.InstanceId] = report;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<PublishedReport?> GetAsync(string instanceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        return Task.FromResult(_reports.TryGetValue(instanceId, out var report) ? report : null);
    }
}
