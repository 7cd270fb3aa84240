using AgentFunctions.Host.Approvals;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Host.Research;
using AgentFunctions.Testing;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AgentFunctions.Host.Tests;

/// <summary>The sweep of expired Idempotency-Keys and delivery ids, against Azurite.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class HostTableSweeperTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);
    private static readonly TimeSpan Retention = TimeSpan.FromDays(3);
    private static readonly DeliveryOutcome AcceptedOutcome = new(202, "application/json", "{}");

    [Fact]
    public async Task SweepOnceAsync_IdempotencyKeyPastItsRetention_IsDeletedAndAFreshOneKept()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new TableIdempotencyStore(await NewTableAsync("sweepidem"), clock);
        await store.ClaimAsync("old", "hash", "first", Day, CancellationToken.None);
        clock.Advance(TimeSpan.FromHours(12));
        await store.ClaimAsync("fresh", "hash", "second", Day, CancellationToken.None);
        clock.Advance(TimeSpan.FromHours(12) + TimeSpan.FromSeconds(1));

        var deleted = await NewSweeper(clock, store).SweepOnceAsync(CancellationToken.None);

        Assert.Equal(1, deleted);
        Assert.Equal([TableKeys.For(TableIdempotencyStore.Scope, "fresh")], await PartitionsAsync(store.Table));
        var repeat = await store.ClaimAsync("fresh", "hash", "third", Day, CancellationToken.None);
        Assert.Equal("second", repeat.InstanceId);
    }

    [Fact]
    public async Task SweepOnceAsync_DeliveryPastItsRetention_IsDeletedAndAFreshOneKept()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var log = new TableDeliveryLog(await NewTableAsync("sweepdeliv"), Retention, clock, NullLogger<TableDeliveryLog>.Instance);
        await log.RunOnceAsync("old", _ => Task.FromResult(AcceptedOutcome), CancellationToken.None);
        clock.Advance(TimeSpan.FromDays(2));
        await log.RunOnceAsync("fresh", _ => Task.FromResult(AcceptedOutcome), CancellationToken.None);
        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));

        var deleted = await NewSweeper(clock, log).SweepOnceAsync(CancellationToken.None);

        Assert.Equal(1, deleted);
        Assert.Equal([TableKeys.For(TableDeliveryLog.DeliveryScope, "fresh")], await PartitionsAsync(log.Table));
        var runs = 0;
        await log.RunOnceAsync("fresh", _ => { runs++; return Task.FromResult(AcceptedOutcome); }, CancellationToken.None);
        Assert.Equal(0, runs);
    }

    [Fact]
    public async Task SweepOnceAsync_AbandonedClaimAndOldDecision_AreDeletedOnlyAfterTheirLongerLimits()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var table = await NewTableAsync("sweepclaims");
        var log = new TableDeliveryLog(table, TimeSpan.FromSeconds(10), clock, NullLogger<TableDeliveryLog>.Instance);
        var inFlight = TableKeys.For(TableDeliveryLog.DeliveryScope, "dead");
        await table.AddEntityAsync(new TableEntity(inFlight, string.Empty) { ["Scope"] = TableDeliveryLog.DeliveryScope, ["State"] = "InFlight", ["Owner"] = "dead", ["ClaimedAt"] = clock.GetUtcNow() });
        Assert.True(await log.TryClaimDecisionAsync("run-1", "round", CancellationToken.None));
        var sweeper = NewSweeper(clock, log);

        // Past the retention, but a claim may be in flight for InFlightTimeout and a round awaited for the longest approval wait.
        clock.Advance(TimeSpan.FromSeconds(11));
        var early = await sweeper.SweepOnceAsync(CancellationToken.None);
        clock.Advance(TableDeliveryLog.InFlightTimeout);
        var afterInFlightTimeout = await sweeper.SweepOnceAsync(CancellationToken.None);
        var decisionKept = await log.TryClaimDecisionAsync("run-1", "round", CancellationToken.None);
        clock.Advance(ResearchSubmissionParser.MaxApprovalTimeout);
        var afterApprovalWait = await sweeper.SweepOnceAsync(CancellationToken.None);

        Assert.Equal(0, early);
        Assert.Equal(1, afterInFlightTimeout);
        Assert.False(decisionKept);
        Assert.Equal(1, afterApprovalWait);
        Assert.Empty(await PartitionsAsync(table));
    }

    [Fact]
    public async Task SweepOnceAsync_KeyClaimedAnewAfterItWasRead_IsKept()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new TableIdempotencyStore(await NewTableAsync("sweeprace"), clock);
        await store.ClaimAsync("key", "hash", "first", Day, CancellationToken.None);
        clock.Advance(Day + TimeSpan.FromSeconds(1));
        var now = clock.GetUtcNow();

        // The sweep reads the expired entity; a claim replaces it before the delete is sent.
        var deleted = await HostTableSweeper.DeleteWhereAsync(
            store.Table,
            TableClient.CreateQueryFilter($"ExpiresAt le {now}"),
            _ =>
            {
                store.ClaimAsync("key", "hash", "second", Day, CancellationToken.None).GetAwaiter().GetResult();
                return true;
            },
            CancellationToken.None);

        Assert.Equal(0, deleted);
        var holder = await store.ClaimAsync("key", "hash", "third", Day, CancellationToken.None);
        Assert.Equal("second", holder.InstanceId);
    }

    [Fact]
    public async Task ExecuteAsync_RunningHostedService_SweepsOnItsInterval()
    {
        var store = new TableIdempotencyStore(await NewTableAsync("sweeploop"), TimeProvider.System);
        await store.ClaimAsync("short", "hash", "first", TimeSpan.FromMilliseconds(200), CancellationToken.None);
        await store.ClaimAsync("long", "hash", "second", Day, CancellationToken.None);
        using var sweeper = new HostTableSweeper([store], TimeSpan.FromMilliseconds(300), TimeProvider.System, NullLogger<HostTableSweeper>.Instance);

        await sweeper.StartAsync(CancellationToken.None);
        try
        {
            await AzuriteHost.WaitUntilAsync(
                async () => (await PartitionsAsync(store.Table)).Count == 1,
                TimeSpan.FromSeconds(10),
                () => "the expired key was not swept");
        }
        finally
        {
            await sweeper.StopAsync(CancellationToken.None);
        }

        Assert.Equal([TableKeys.For(TableIdempotencyStore.Scope, "long")], await PartitionsAsync(store.Table));
    }

    [Theory]
    [InlineData(null, 3600)]
    [InlineData("00:05:00", 300)]
    public void Load_SweepInterval_DefaultsToAnHourOrTakesTheSetting(string? value, int seconds)
    {
        var settings = HostSettings.Load(new ConfigurationBuilder().AddInMemoryCollection([new KeyValuePair<string, string?>("AgentFunctions:Sweep:Interval", value)]).Build());

        Assert.Equal(TimeSpan.FromSeconds(seconds), settings.SweepInterval);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("2.00:00:00")]
    [InlineData("hourly")]
    public void Load_SweepIntervalOutOfRangeOrMalformed_FailsNamingTheKey(string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new KeyValuePair<string, string?>("AgentFunctions:Sweep:Interval", value)]).Build();

        var ex = Assert.Throws<HostConfigurationException>(() => HostSettings.Load(configuration));

        Assert.Equal("AgentFunctions:Sweep:Interval", ex.Key);
    }

    private static HostTableSweeper NewSweeper(TimeProvider clock, IExpiringTable table) =>
        new([table], TimeSpan.FromHours(1), clock, NullLogger<HostTableSweeper>.Instance);

    private static async Task<List<string>> PartitionsAsync(TableClient table)
    {
        var partitions = new List<string>();
        await foreach (var entity in table.QueryAsync<TableEntity>())
        {
            partitions.Add(entity.PartitionKey);
        }

        return partitions;
    }

    private async Task<TableClient> NewTableAsync(string prefix)
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(AzuriteFixture.UniqueName(prefix));
        await table.CreateIfNotExistsAsync();
        return table;
    }
}
