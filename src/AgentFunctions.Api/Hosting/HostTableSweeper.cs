using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Host.Hosting;

/// <summary>A table of the host's whose entities expire: it knows which ones have, and deletes them.</summary>
internal interface IExpiringTable
{
    /// <summary>The table.</summary>
    TableClient Table { get; }

    /// <summary>Deletes the entities expired at <paramref name="now"/>; returns how many it deleted.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// Deletes the host's table entities once their retention is over (<c>AgentFunctions:Sweep:Interval</c>, hourly
/// by default): Idempotency-Keys after <c>AgentFunctions:Idempotency:Retention</c>, webhook delivery ids after
/// <c>AgentFunctions:Review:DeliveryRetention</c>. Expired entities already answer for nothing, so the sweep only
/// keeps the tables from growing forever. Every host on a task hub sweeps; deletes are conditional on the ETag
/// read, so hosts sweeping together, or a key claimed anew while it is swept, lose nothing.
/// </summary>
internal sealed partial class HostTableSweeper(IReadOnlyList<IExpiringTable> tables, TimeSpan interval, TimeProvider time, ILogger<HostTableSweeper> logger) : BackgroundService
{
    /// <summary>
    /// The longest wait for the first sweep: a host restarted more often than the interval must still sweep,
    /// and starting a little after startup keeps the sweep out of the way of the first requests.
    /// </summary>
    public static readonly TimeSpan FirstSweepDelay = TimeSpan.FromMinutes(1);

    /// <summary>Sweeps every table once; a table that cannot be swept now is logged and tried again next time.</summary>
    /// <returns>How many entities were deleted in all.</returns>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var table in tables)
        {
            try
            {
                var deleted = await table.DeleteExpiredAsync(time.GetUtcNow(), cancellationToken);
                if (deleted > 0)
                {
                    LogSwept(deleted, table.Table.Name);
                }

                total += deleted;
            }
            catch (Exception ex) when (StorageErrors.IsStorageFailure(ex))
            {
                LogSweepFailed(ex, table.Table.Name, interval);
            }
        }

        return total;
    }

    /// <summary>
    /// Deletes the entities of <paramref name="table"/> that <paramref name="filter"/> selects and
    /// <paramref name="expired"/> confirms (the filter narrows what is read; the predicate decides), each only if
    /// its ETag is still the one read.
    /// </summary>
    internal static async Task<int> DeleteWhereAsync(TableClient table, string filter, Func<TableEntity, bool> expired, CancellationToken cancellationToken)
    {
        var deleted = 0;
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            if (!expired(entity))
            {
                continue;
            }

            try
            {
                await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken);
                deleted++;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Claimed anew, or deleted by another host's sweep, since it was read.
            }
        }

        return deleted;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(interval < FirstSweepDelay ? interval : FirstSweepDelay, time, stoppingToken);
            while (true)
            {
                await SweepOnceAsync(stoppingToken);
                await Task.Delay(interval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} expired entities from table '{Table}'")]
    private partial void LogSwept(int count, string table);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not sweep table '{Table}'; trying again in {Interval}")]
    private partial void LogSweepFailed(Exception exception, string table, TimeSpan interval);
}
