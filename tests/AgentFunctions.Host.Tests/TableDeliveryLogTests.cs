using AgentFunctions.Host.Approvals;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Testing;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AgentFunctions.Host.Tests;

/// <summary>The table-backed delivery log against Azurite; each log instance stands for one host process.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class TableDeliveryLogTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(3);
    private static readonly DeliveryOutcome AcceptedOutcome = new(202, "application/json", "{\"decision\":\"approve\"}");
    private static readonly DeliveryOutcome ConflictOutcome = new(409, "application/problem+json", "{\"title\":\"not awaiting\"}");

    [Fact]
    public async Task RunOnceAsync_AcceptedThenReplayedOnAnotherProcess_AnswersAsFirstWithoutRunning()
    {
        var table = await NewTableAsync();
        var runs = 0;
        await NewLog(table).RunOnceAsync("d/1#?", _ => { runs++; return Task.FromResult(AcceptedOutcome); }, CancellationToken.None);

        var replay = await NewLog(table).RunOnceAsync("d/1#?", _ => { runs++; return Task.FromResult(ConflictOutcome); }, CancellationToken.None);

        Assert.Equal(AcceptedOutcome, replay);
        Assert.Equal(1, runs);
        var stored = (await table.GetEntityAsync<TableEntity>(TableKeys.For(TableDeliveryLog.DeliveryScope, "d/1#?"), string.Empty)).Value;
        Assert.Equal("d/1#?", stored.GetString("DeliveryId"));
    }

    [Fact]
    public async Task RunOnceAsync_ConcurrentCallsFromTwoProcesses_RunTheHandlerOnce()
    {
        var table = await NewTableAsync();
        var otherAccount = new TableServiceClient(azurite.ConnectionString);
        var logs = new[] { NewLog(table), NewLog(otherAccount.GetTableClient(table.Name)) };
        var runs = 0;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => logs[i % 2].RunOnceAsync(
            "delivery",
            async _ =>
            {
                Interlocked.Increment(ref runs);
                await Task.Delay(200);
                return AcceptedOutcome;
            },
            CancellationToken.None)));

        Assert.Equal(1, runs);
        Assert.All(outcomes, o => Assert.Equal(AcceptedOutcome, o));
    }

    [Fact]
    public async Task RunOnceAsync_NotAcceptedOrThrown_IsJudgedAfreshOnRetry()
    {
        var table = await NewTableAsync();
        var log = NewLog(table);
        var runs = 0;

        var refused = await log.RunOnceAsync("d", _ => { runs++; return Task.FromResult(ConflictOutcome); }, CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => log.RunOnceAsync("d", _ => { runs++; throw new InvalidOperationException("boom"); }, CancellationToken.None));
        var accepted = await NewLog(table).RunOnceAsync("d", _ => { runs++; return Task.FromResult(AcceptedOutcome); }, CancellationToken.None);

        Assert.Equal(ConflictOutcome, refused);
        Assert.Equal(AcceptedOutcome, accepted);
        Assert.Equal(3, runs);
    }

    [Fact]
    public async Task RunOnceAsync_AfterRetention_RunsAgain()
    {
        var table = await NewTableAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var log = new TableDeliveryLog(table, Retention, clock, NullLogger<TableDeliveryLog>.Instance);
        var runs = 0;
        await log.RunOnceAsync("d", _ => { runs++; return Task.FromResult(AcceptedOutcome); }, CancellationToken.None);

        clock.Advance(Retention - TimeSpan.FromSeconds(1));
        await log.RunOnceAsync("d", _ => { runs++; return Task.FromResult(ConflictOutcome); }, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(2));
        var late = await log.RunOnceAsync("d", _ => { runs++; return Task.FromResult(ConflictOutcome); }, CancellationToken.None);

        Assert.Equal(2, runs);
        Assert.Equal(ConflictOutcome, late);
    }

    [Fact]
    public async Task RunOnceAsync_ClaimAbandonedByADeadProcess_IsTakenOverAfterTheInFlightTimeout()
    {
        var table = await NewTableAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var partition = TableKeys.For(TableDeliveryLog.DeliveryScope, "d");
        await table.AddEntityAsync(new TableEntity(partition, string.Empty) { ["State"] = "InFlight", ["Owner"] = "dead", ["ClaimedAt"] = clock.GetUtcNow() - TableDeliveryLog.InFlightTimeout });
        var log = new TableDeliveryLog(table, Retention, clock, NullLogger<TableDeliveryLog>.Instance);

        var outcome = await log.RunOnceAsync("d", _ => Task.FromResult(AcceptedOutcome), CancellationToken.None);

        Assert.Equal(AcceptedOutcome, outcome);
    }

    [Fact]
    public async Task TryClaimDecisionAsync_TwoProcessesOneRound_OneWinsUntilReleased()
    {
        var table = await NewTableAsync();
        var (first, second) = (NewLog(table), NewLog(table));

        var claims = await Task.WhenAll(first.TryClaimDecisionAsync("run/1", "round", CancellationToken.None), second.TryClaimDecisionAsync("run/1", "round", CancellationToken.None));
        var otherRound = await second.TryClaimDecisionAsync("run/1", "round2", CancellationToken.None);
        await first.ReleaseDecisionAsync("run/1", "round", CancellationToken.None);
        var afterRelease = await second.TryClaimDecisionAsync("run/1", "round", CancellationToken.None);

        Assert.Single(claims, c => c);
        Assert.True(otherRound);
        Assert.True(afterRelease);
    }

    [Fact]
    public async Task RunOnceAsync_TableUnreachable_ThrowsStorageUnavailableAndRunsNothing()
    {
        var connection = azurite.ConnectionString.Replace($":{azurite.Instance.TablePort}/", ":1/", StringComparison.Ordinal);
        var down = new TableServiceClient(connection, AzuriteHost.FastFailing());
        var log = NewLog(down.GetTableClient("Unreachable"));
        var runs = 0;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => log.RunOnceAsync("d", _ => { runs++; return Task.FromResult(AcceptedOutcome); }, CancellationToken.None));

        Assert.Equal(0, StorageErrors.Status(error));
        Assert.True(StorageErrors.IsUnavailable(error), error.ToString());
        Assert.Equal(0, runs);
    }

    private static TableDeliveryLog NewLog(TableClient table) => new(table, Retention, TimeProvider.System, NullLogger<TableDeliveryLog>.Instance);

    private async Task<TableClient> NewTableAsync()
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(AzuriteFixture.UniqueName("deliveries"));
        await table.CreateIfNotExistsAsync();
        return table;
    }
}
