using AgentFunctions.Host.Hosting;
using AgentFunctions.Host.Research;
using AgentFunctions.Testing;
using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;

namespace AgentFunctions.Host.Tests;

/// <summary>The table-backed Idempotency-Key store against Azurite; each store instance stands for one host process.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class TableIdempotencyStoreTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);

    [Fact]
    public async Task ClaimAsync_ConcurrentClaimsOfOneKeyFromSeveralProcesses_ExactlyOneWins()
    {
        var table = await NewTableAsync();
        var other = new TableServiceClient(azurite.ConnectionString);
        var stores = new[] { new TableIdempotencyStore(table, TimeProvider.System), new TableIdempotencyStore(other.GetTableClient(table.Name), TimeProvider.System) };

        var claims = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            stores[i % 2].ClaimAsync("order-42", "hash", $"instance{i}", Day, CancellationToken.None)));

        var winner = Assert.Single(claims, c => c.IsNew);
        Assert.All(claims, c => Assert.Equal(winner.InstanceId, c.InstanceId));
    }

    [Theory]
    [InlineData("a/b\\c#d?e")]
    [InlineData("tab\there\u0001and\u007f")]
    [InlineData("quote'and%25percent")]
    public async Task ClaimAsync_KeyWithCharactersForbiddenInTableKeys_IsClaimedAndRecognised(string key)
    {
        var store = new TableIdempotencyStore(await NewTableAsync(), TimeProvider.System);

        var first = await store.ClaimAsync(key, "hash", "first", Day, CancellationToken.None);
        var repeat = await store.ClaimAsync(key, "hash", "second", Day, CancellationToken.None);
        var neighbour = await store.ClaimAsync(key + "x", "hash", "third", Day, CancellationToken.None);

        Assert.True(first.IsNew);
        Assert.Equal(new IdempotencyClaim("first", "hash", IsNew: false, IsStarted: false), repeat);
        Assert.True(neighbour.IsNew);
        var stored = (await store.Table.GetEntityAsync<TableEntity>(TableKeys.For(TableIdempotencyStore.Scope, key), string.Empty)).Value;
        Assert.Equal(key, stored.GetString("Key"));
        Assert.Equal(TableIdempotencyStore.Scope, stored.GetString("Scope"));
    }

    [Fact]
    public async Task ClaimAsync_LongestAllowedKey_IsClaimed()
    {
        var store = new TableIdempotencyStore(await NewTableAsync(), TimeProvider.System);
        var key = new string('k', ResearchSubmitter.MaxIdempotencyKeyLength);

        var first = await store.ClaimAsync(key, "hash", "first", Day, CancellationToken.None);
        var repeat = await store.ClaimAsync(key, "hash", "second", Day, CancellationToken.None);

        Assert.True(first.IsNew);
        Assert.Equal("first", repeat.InstanceId);
    }

    [Fact]
    public async Task ClaimAsync_AfterRetention_ClaimsTheKeyAnew()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new TableIdempotencyStore(await NewTableAsync(), clock);
        await store.ClaimAsync("key", "hash", "first", Day, CancellationToken.None);

        clock.Advance(Day - TimeSpan.FromSeconds(1));
        var within = await store.ClaimAsync("key", "other", "second", Day, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(2));
        var after = await store.ClaimAsync("key", "other", "third", Day, CancellationToken.None);

        Assert.Equal(new IdempotencyClaim("first", "hash", IsNew: false, IsStarted: false), within);
        Assert.Equal(new IdempotencyClaim("third", "other", IsNew: true, IsStarted: false), after);
    }

    [Fact]
    public async Task MarkStartedAsync_ThenRepeat_ReportsStarted()
    {
        var store = new TableIdempotencyStore(await NewTableAsync(), TimeProvider.System);
        await store.ClaimAsync("key", "hash", "first", Day, CancellationToken.None);

        await store.MarkStartedAsync("key", "first", CancellationToken.None);
        var repeat = await store.ClaimAsync("key", "hash", "second", Day, CancellationToken.None);

        Assert.True(repeat.IsStarted);
        Assert.False(repeat.IsNew);
    }

    [Fact]
    public async Task ReleaseAsync_OwnClaim_LetsTheNextClaimWin()
    {
        var store = new TableIdempotencyStore(await NewTableAsync(), TimeProvider.System);
        await store.ClaimAsync("key", "hash", "first", Day, CancellationToken.None);

        await store.ReleaseAsync("key", "someone-else", CancellationToken.None);
        var stillHeld = await store.ClaimAsync("key", "hash", "second", Day, CancellationToken.None);
        await store.ReleaseAsync("key", "first", CancellationToken.None);
        var released = await store.ClaimAsync("key", "hash", "third", Day, CancellationToken.None);

        Assert.False(stillHeld.IsNew);
        Assert.True(released.IsNew);
        Assert.Equal("third", released.InstanceId);
    }

    [Fact]
    public async Task ClaimAsync_TableUnreachable_ThrowsStorageUnavailableInsteadOfForgetting()
    {
        var connection = azurite.ConnectionString.Replace($":{azurite.Instance.TablePort}/", ":1/", StringComparison.Ordinal);
        Assert.NotEqual(azurite.ConnectionString, connection);
        var down = new TableServiceClient(connection, AzuriteHost.FastFailing());
        var store = new TableIdempotencyStore(down.GetTableClient("Unreachable"), TimeProvider.System);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => store.ClaimAsync("key", "hash", "first", Day, CancellationToken.None));

        // Status 0 is what StorageUnavailableHandler answers 503 + Retry-After for.
        Assert.Equal(0, StorageErrors.Status(error));
        Assert.True(StorageErrors.IsUnavailable(error), error.ToString());
    }

    private async Task<TableClient> NewTableAsync()
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(AzuriteFixture.UniqueName("idem"));
        await table.CreateIfNotExistsAsync();
        return table;
    }
}
