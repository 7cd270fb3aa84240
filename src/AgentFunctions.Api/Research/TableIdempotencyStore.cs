using AgentFunctions.Host.Hosting;
using Azure;
using Azure.Data.Tables;

namespace AgentFunctions.Host.Research;

/// <summary>
/// An <see cref="IIdempotencyStore"/> in a table (<c>{hub}Idempotency</c>), so a key survives a host restart
/// and is honoured by every host on the task hub. One entity per key: PartitionKey is the SHA-256 of the
/// scope and key (see <see cref="TableKeys"/>), RowKey empty. Ownership is decided by storage: the insert that
/// succeeds owns the key; an expired entity is taken over by an ETag-conditional replace.
/// </summary>
/// <remarks>
/// Expired entities are ignored and overwritten by the next claim of their key, and deleted by the
/// <see cref="HostTableSweeper"/> (<see cref="DeleteExpiredAsync"/>). Storage errors propagate, so an unreachable
/// table fails the request (503) instead of losing the guarantee.
/// </remarks>
internal sealed class TableIdempotencyStore(TableClient table, TimeProvider time) : IIdempotencyStore, IExpiringTable
{
    /// <summary>Keys are claimed for research submissions (the API and the runs page share one key space).</summary>
    public const string Scope = "research";

    // Every lost race ends with another caller's entity in place, which the next round reads and answers
    // from; needing more rounds than this means the entity is being rewritten continuously.
    private const int MaxRounds = 8;

    /// <summary>The table.</summary>
    public TableClient Table => table;

    public async Task<IdempotencyClaim> ClaimAsync(string key, string requestHash, string proposedInstanceId, TimeSpan retention, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var partition = TableKeys.For(Scope, key);
        for (var round = 0; round < MaxRounds; round++)
        {
            var now = time.GetUtcNow();
            var entity = new TableEntity(partition, string.Empty)
            {
                ["Scope"] = Scope,
                ["Key"] = key,
                ["InstanceId"] = proposedInstanceId,
                ["RequestHash"] = requestHash,
                ["ClaimedAt"] = now,
                ["ExpiresAt"] = now + retention,
                ["Started"] = false,
            };
            try
            {
                await table.AddEntityAsync(entity, cancellationToken);
                return new IdempotencyClaim(proposedInstanceId, requestHash, IsNew: true, IsStarted: false);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Someone holds the key, or our own insert landed and its retry collided with it.
            }

            var existing = await ReadAsync(partition, cancellationToken);
            if (existing is null)
            {
                continue;
            }

            var holder = Read(existing);
            if (holder.InstanceId == proposedInstanceId)
            {
                return holder with { IsNew = true };
            }

            if (existing.GetDateTimeOffset("ExpiresAt") is { } expires && expires > now)
            {
                return holder;
            }

            try
            {
                await table.UpdateEntityAsync(entity, existing.ETag, TableUpdateMode.Replace, cancellationToken);
                return new IdempotencyClaim(proposedInstanceId, requestHash, IsNew: true, IsStarted: false);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Another caller replaced or released the expired entity first; read again.
            }
        }

        throw new InvalidOperationException($"The Idempotency-Key could not be claimed in table '{table.Name}': its entity changed on each of {MaxRounds} attempts.");
    }

    public async Task MarkStartedAsync(string key, string instanceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var existing = await ReadAsync(TableKeys.For(Scope, key), cancellationToken);
        if (existing is null || existing.GetString("InstanceId") != instanceId || existing.GetBoolean("Started") == true)
        {
            return;
        }

        var update = new TableEntity(existing.PartitionKey, existing.RowKey) { ["Started"] = true };
        try
        {
            await table.UpdateEntityAsync(update, existing.ETag, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Changed meanwhile (released, or marked by a concurrent repeat): nothing left for us to record.
        }
    }

    public async Task ReleaseAsync(string key, string instanceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var existing = await ReadAsync(TableKeys.For(Scope, key), cancellationToken);
        if (existing is null || existing.GetString("InstanceId") != instanceId)
        {
            return;
        }

        try
        {
            await table.DeleteEntityAsync(existing.PartitionKey, existing.RowKey, existing.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Changed meanwhile: a concurrent repeat started the instance after all, so the mapping stays.
        }
    }

    /// <summary>
    /// Deletes the entities whose retention ended before <paramref name="now"/>. Each delete is conditional on the
    /// entity's ETag, so a key claimed anew meanwhile (its entity replaced) is kept.
    /// </summary>
    /// <returns>How many entities were deleted.</returns>
    public Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        HostTableSweeper.DeleteWhereAsync(
            table,
            TableClient.CreateQueryFilter($"Scope eq {Scope} and ExpiresAt le {now}"),
            e => e.GetDateTimeOffset("ExpiresAt") is { } expires && expires <= now,
            cancellationToken);

    private async Task<TableEntity?> ReadAsync(string partition, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partition, string.Empty, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    private static IdempotencyClaim Read(TableEntity entity) => new(
        entity.GetString("InstanceId") ?? throw new InvalidDataException($"Idempotency entity '{entity.PartitionKey}' has no InstanceId."),
        entity.GetString("RequestHash") ?? string.Empty,
        IsNew: false,
        IsStarted: entity.GetBoolean("Started") == true);
}
