using System.Collections.Concurrent;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Host.Research;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Host.Approvals;

/// <summary>
/// An <see cref="IDeliveryLog"/> in a table (<c>{hub}Deliveries</c>), so a delivery id accepted before a host
/// restart is still answered as it was, and a decided review round stays decided. One entity per delivery id
/// and one per decided round; PartitionKey is the SHA-256 of scope and value (see <see cref="TableKeys"/>).
/// </summary>
/// <remarks>
/// A delivery is claimed by inserting an <c>InFlight</c> entity; the insert that succeeds runs the handler.
/// An accepted outcome replaces the claim (kept for the retention); any other outcome, or an exception,
/// deletes it, so a retry is judged afresh. Calls in this process with one id share one run, as in memory; a
/// caller in another process that finds the id in flight polls until it is settled, and takes over a claim
/// left <see cref="InFlightTimeout"/> unsettled (its process died). A takeover cannot raise a decision twice:
/// the round claim, also in this table, has to be won first. Storage errors propagate (the request fails
/// 503), except when recording an outcome whose decision was already raised, which is answered anyway.
/// Entities past their retention are deleted by the <see cref="HostTableSweeper"/> (<see cref="DeleteExpiredAsync"/>).
/// </remarks>
internal sealed class TableDeliveryLog(TableClient table, TimeSpan retention, TimeProvider time, ILogger<TableDeliveryLog> logger) : IDeliveryLog, IExpiringTable
{
    /// <summary>Scope of delivery id entities.</summary>
    public const string DeliveryScope = "delivery";

    /// <summary>Scope of decided review round entities.</summary>
    public const string DecisionScope = "decision";

    /// <summary>
    /// How long a claimed delivery may stay unsettled before another host takes it over: longer than a handler
    /// takes even when each of its storage calls rides out the client's 45 s retry window more than once.
    /// </summary>
    public static readonly TimeSpan InFlightTimeout = TimeSpan.FromMinutes(2);

    private const string InFlight = "InFlight";
    private const string Accepted = "Accepted";
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Lazy<Task<DeliveryOutcome>>> _running = new(StringComparer.Ordinal);

    /// <summary>The table.</summary>
    public TableClient Table => table;

    public async Task<DeliveryOutcome> RunOnceAsync(string deliveryId, Func<CancellationToken, Task<DeliveryOutcome>> handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveryId);
        ArgumentNullException.ThrowIfNull(handle);
        var run = _running.GetOrAdd(deliveryId, id => new Lazy<Task<DeliveryOutcome>>(() => ClaimAndRunAsync(id, handle, cancellationToken)));
        try
        {
            return await run.Value;
        }
        finally
        {
            _running.TryRemove(KeyValuePair.Create(deliveryId, run));
        }
    }

    public async Task<bool> TryClaimDecisionAsync(string instanceId, string roundKey, CancellationToken cancellationToken)
    {
        var partition = DecisionPartition(instanceId, roundKey);
        var owner = Guid.NewGuid().ToString("N");
        for (var round = 0; round < 4; round++)
        {
            try
            {
                await table.AddEntityAsync(
                    new TableEntity(partition, string.Empty)
                    {
                        ["Scope"] = DecisionScope,
                        ["InstanceId"] = instanceId,
                        ["Round"] = roundKey,
                        ["Owner"] = owner,
                        ["ClaimedAt"] = time.GetUtcNow(),
                    },
                    cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                var holder = await ReadAsync(partition, cancellationToken);
                if (holder is not null)
                {
                    // Our own insert may have landed before a retried request collided with it.
                    return holder.GetString("Owner") == owner;
                }

                // Released between the insert and the read: try again.
            }
        }

        return false;
    }

    public async Task ReleaseDecisionAsync(string instanceId, string roundKey, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(DecisionPartition(instanceId, roundKey), string.Empty, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already gone.
        }
    }

    private static string DecisionPartition(string instanceId, string roundKey) => TableKeys.For(DecisionScope, $"{instanceId}\n{roundKey}");

    private async Task<DeliveryOutcome> ClaimAndRunAsync(string deliveryId, Func<CancellationToken, Task<DeliveryOutcome>> handle, CancellationToken cancellationToken)
    {
        var partition = TableKeys.For(DeliveryScope, deliveryId);
        var owner = Guid.NewGuid().ToString("N");
        var poll = FirstPoll;

        // An in-flight claim settles or goes stale within InFlightTimeout; twice that means it keeps changing.
        var limit = InFlightTimeout * 2;
        var deadline = time.GetUtcNow() + limit;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = time.GetUtcNow();
            if (now > deadline)
            {
                throw new InvalidOperationException($"Delivery '{deliveryId}' could not be claimed in table '{table.Name}' within {limit}: its entity kept changing.");
            }

            var claim = new TableEntity(partition, string.Empty)
            {
                ["Scope"] = DeliveryScope,
                ["DeliveryId"] = deliveryId,
                ["State"] = InFlight,
                ["Owner"] = owner,
                ["ClaimedAt"] = now,
            };
            ETag? etag = null;
            try
            {
                etag = (await table.AddEntityAsync(claim, cancellationToken)).Headers.ETag;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                var existing = await ReadAsync(partition, cancellationToken);
                if (existing is null)
                {
                    continue;
                }

                if (existing.GetString("Owner") == owner)
                {
                    // Our insert landed and a retry of it collided with it.
                    etag = existing.ETag;
                }
                else if (existing.GetString("State") == Accepted)
                {
                    if (existing.GetDateTimeOffset("SettledAt") is { } settled && settled + retention > now)
                    {
                        return ReadOutcome(existing);
                    }

                    etag = await TryReplaceAsync(claim, existing.ETag, cancellationToken);
                }
                else if (existing.GetDateTimeOffset("ClaimedAt") is not { } claimedAt || claimedAt + InFlightTimeout <= now)
                {
                    logger.LogWarning("Delivery {DeliveryId} was left in flight since {ClaimedAt}; taking it over", deliveryId, existing.GetDateTimeOffset("ClaimedAt"));
                    etag = await TryReplaceAsync(claim, existing.ETag, cancellationToken);
                }
                else
                {
                    // Another host is handling this delivery right now: wait for its outcome.
                    await Task.Delay(poll, time, cancellationToken);
                    poll = poll * 2 > MaxPoll ? MaxPoll : poll * 2;
                    continue;
                }
            }

            if (etag is { } held)
            {
                return await RunClaimedAsync(partition, held, deliveryId, owner, handle, cancellationToken);
            }
        }
    }

    private async Task<ETag?> TryReplaceAsync(TableEntity claim, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            return (await table.UpdateEntityAsync(claim, etag, TableUpdateMode.Replace, cancellationToken)).Headers.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return null;
        }
    }

    private async Task<DeliveryOutcome> RunClaimedAsync(
        string partition, ETag etag, string deliveryId, string owner, Func<CancellationToken, Task<DeliveryOutcome>> handle, CancellationToken cancellationToken)
    {
        DeliveryOutcome outcome;
        try
        {
            outcome = await handle(cancellationToken);
        }
        catch
        {
            await ForgetAsync(partition, etag, deliveryId);
            throw;
        }

        if (!outcome.Accepted)
        {
            // Only accepted deliveries are final; anything else may succeed when retried.
            await ForgetAsync(partition, etag, deliveryId);
            return outcome;
        }

        var record = new TableEntity(partition, string.Empty)
        {
            ["Scope"] = DeliveryScope,
            ["DeliveryId"] = deliveryId,
            ["State"] = Accepted,
            ["Owner"] = owner,
            ["SettledAt"] = time.GetUtcNow(),
            ["StatusCode"] = outcome.StatusCode,
            ["ContentType"] = outcome.ContentType,
            ["Body"] = outcome.Body,
        };
        try
        {
            await table.UpdateEntityAsync(record, etag, TableUpdateMode.Replace, CancellationToken.None);
        }
        catch (Exception ex) when (StorageErrors.IsStorageFailure(ex))
        {
            // The decision is raised: answer it. A replay finds the claim in flight, and once that is taken
            // over the round claim makes it raise nothing (it is answered 409 instead of as the first).
            logger.LogWarning(ex, "Accepted delivery {DeliveryId} could not be recorded", deliveryId);
        }

        return outcome;
    }

    private async Task ForgetAsync(string partition, ETag etag, string deliveryId)
    {
        try
        {
            await table.DeleteEntityAsync(partition, string.Empty, etag, CancellationToken.None);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Already taken over by another host, which now owns the id.
        }
        catch (Exception ex) when (StorageErrors.IsStorageFailure(ex))
        {
            // Left in flight, it is taken over after InFlightTimeout; meanwhile a retry of the id waits for that.
            logger.LogWarning(ex, "Unaccepted delivery {DeliveryId} could not be forgotten", deliveryId);
        }
    }

    /// <summary>
    /// Deletes what no longer answers for anything at <paramref name="now"/>: accepted deliveries settled more than
    /// the retention ago (they would run again anyway); claims left in flight that long, and at least
    /// <see cref="InFlightTimeout"/> (their process died); and review-round claims older than both the retention
    /// and the longest approval wait (<see cref="ResearchSubmissionParser.MaxApprovalTimeout"/>), since until that
    /// wait has surely ended a deleted claim could let a second decision into the same round. Deletes are
    /// conditional on the ETag read, so an entity claimed anew meanwhile is kept.
    /// </summary>
    /// <returns>How many entities were deleted.</returns>
    public Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settled = now - retention;
        var abandoned = now - (retention > InFlightTimeout ? retention : InFlightTimeout);
        var decided = now - (retention > ResearchSubmissionParser.MaxApprovalTimeout ? retention : ResearchSubmissionParser.MaxApprovalTimeout);
        return HostTableSweeper.DeleteWhereAsync(
            table,
            TableClient.CreateQueryFilter(
                $"(State eq {Accepted} and SettledAt le {settled}) or (State eq {InFlight} and ClaimedAt le {abandoned}) or (Scope eq {DecisionScope} and ClaimedAt le {decided})"),
            e => e.GetString("State") switch
            {
                Accepted => e.GetDateTimeOffset("SettledAt") <= settled,
                InFlight => e.GetDateTimeOffset("ClaimedAt") <= abandoned,
                _ => e.GetString("Scope") == DecisionScope && e.GetDateTimeOffset("ClaimedAt") <= decided,
            },
            cancellationToken);
    }

    private async Task<TableEntity?> ReadAsync(string partition, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partition, string.Empty, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    private static DeliveryOutcome ReadOutcome(TableEntity entity) => new(
        entity.GetInt32("StatusCode") ?? throw new InvalidDataException($"Delivery entity '{entity.PartitionKey}' has no StatusCode."),
        entity.GetString("ContentType") ?? "application/json",
        entity.GetString("Body") ?? string.Empty);
}
