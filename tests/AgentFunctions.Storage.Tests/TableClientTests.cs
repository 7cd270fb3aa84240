using AgentFunctions.Storage.Tables;
using AgentFunctions.Testing;

namespace AgentFunctions.Storage.Tests;

[Collection(AzuriteFixture.Collection)]
public sealed class TableClientTests(AzuriteFixture azurite) : IDisposable
{
    private readonly StorageAccountClient _account = new(azurite.ConnectionString);

    public void Dispose() => _account.Dispose();

    private async Task<TableClient> NewTableAsync()
    {
        var table = _account.GetTableClient(AzuriteFixture.UniqueName("t"));
        Assert.True(await table.CreateIfNotExistsAsync());
        return table;
    }

    [Fact]
    public async Task CreateIfNotExists_Twice_SecondReturnsFalse_DeleteIfExistsThenFalse()
    {
        var table = await NewTableAsync();

        var again = await table.CreateIfNotExistsAsync();
        var deleted = await table.DeleteIfExistsAsync();
        var deletedAgain = await table.DeleteIfExistsAsync();

        Assert.False(again);
        Assert.True(deleted);
        Assert.False(deletedAgain);
    }

    [Fact]
    public async Task AddThenGet_EveryPropertyType_RoundTrips()
    {
        var table = await NewTableAsync();
        var when = new DateTimeOffset(2024, 2, 29, 13, 14, 15, TimeSpan.FromHours(2)).AddTicks(1234567);
        var id = Guid.NewGuid();
        var entity = new TableEntity("p 'one'", "r/é ü")
        {
            ["Text"] = "it's <json> \"quoted\"",
            ["Int"] = -42,
            ["Long"] = long.MaxValue,
            ["Double"] = 2.0,
            ["Fraction"] = 0.1,
            ["Flag"] = true,
            ["When"] = when,
            ["Id"] = id,
            ["Bytes"] = new byte[] { 0, 1, 255 },
        };
        entity.RowKey = "r é ü";

        var etag = await table.AddEntityAsync(entity);
        var read = await table.GetEntityIfExistsAsync("p 'one'", "r é ü");

        Assert.NotNull(read);
        Assert.Equal(etag, read.ETag);
        Assert.NotNull(read.Timestamp);
        Assert.Equal("it's <json> \"quoted\"", read.GetString("Text"));
        Assert.Equal(-42, read.GetInt32("Int"));
        Assert.Equal(long.MaxValue, read.GetInt64("Long"));
        Assert.Equal(2.0, read.GetDouble("Double"));
        Assert.IsType<double>(read["Double"]);
        Assert.Equal(0.1, read.GetDouble("Fraction"));
        Assert.True(read.GetBoolean("Flag"));
        Assert.Equal(when, read.GetDateTimeOffset("When"));
        Assert.Equal(id, read.GetGuid("Id"));
        Assert.Equal(new byte[] { 0, 1, 255 }, read.GetBinary("Bytes"));
    }

    [Fact]
    public async Task GetEntity_Missing_ReturnsNull()
    {
        var table = await NewTableAsync();

        var read = await table.GetEntityIfExistsAsync("nope", "nope");

        Assert.Null(read);
    }

    [Fact]
    public async Task AddEntity_Twice_Throws409EntityAlreadyExists()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r"));

        var ex = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.AddEntityAsync(new TableEntity("p", "r")));

        Assert.Equal(409, ex.Status);
        Assert.Equal("EntityAlreadyExists", ex.ErrorCode);
    }

    [Fact]
    public async Task Upsert_MergeKeepsOtherProperties_ReplaceDropsThem()
    {
        var table = await NewTableAsync();
        await table.UpsertEntityAsync(new TableEntity("p", "merge") { ["A"] = "a", ["B"] = "b" });
        await table.UpsertEntityAsync(new TableEntity("p", "replace") { ["A"] = "a", ["B"] = "b" });

        await table.UpsertEntityAsync(new TableEntity("p", "merge") { ["B"] = "b2" }, TableUpdateMode.Merge);
        await table.UpsertEntityAsync(new TableEntity("p", "replace") { ["B"] = "b2" }, TableUpdateMode.Replace);
        var merged = await table.GetEntityIfExistsAsync("p", "merge");
        var replaced = await table.GetEntityIfExistsAsync("p", "replace");

        Assert.Equal("a", merged!.GetString("A"));
        Assert.Equal("b2", merged.GetString("B"));
        Assert.False(replaced!.ContainsKey("A"));
        Assert.Equal("b2", replaced.GetString("B"));
    }

    [Fact]
    public async Task UpdateEntity_WithStaleETag_Throws412AndKeepsNewerValue()
    {
        var table = await NewTableAsync();
        var first = await table.AddEntityAsync(new TableEntity("p", "r") { ["N"] = 1 });
        var second = await table.UpdateEntityAsync(new TableEntity("p", "r") { ["N"] = 2 }, first);

        var ex = await Assert.ThrowsAsync<StorageRequestFailedException>(
            () => table.UpdateEntityAsync(new TableEntity("p", "r") { ["N"] = 3 }, first, TableUpdateMode.Replace));
        var read = await table.GetEntityIfExistsAsync("p", "r");

        Assert.NotEqual(first, second);
        Assert.Equal(412, ex.Status);
        Assert.Equal("UpdateConditionNotSatisfied", ex.ErrorCode);
        Assert.Equal(2, read!.GetInt32("N"));
        Assert.Equal(second, read.ETag);
    }

    [Fact]
    public async Task DeleteEntity_WithStaleETag_Throws412_WithCurrentDeletes()
    {
        var table = await NewTableAsync();
        var first = await table.AddEntityAsync(new TableEntity("p", "r"));
        var second = await table.UpsertEntityAsync(new TableEntity("p", "r") { ["X"] = 1 });

        var stale = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.DeleteEntityAsync("p", "r", first));
        await table.DeleteEntityAsync("p", "r", second);
        var missing = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.DeleteEntityAsync("p", "r"));

        Assert.Equal(412, stale.Status);
        Assert.Equal(404, missing.Status);
        Assert.Null(await table.GetEntityIfExistsAsync("p", "r"));
    }

    [Fact]
    public async Task Query_2500Entities_PagesWithContinuationAndEnumeratesAll()
    {
        var table = await NewTableAsync();
        for (var batch = 0; batch < 25; batch++)
        {
            var actions = Enumerable.Range(0, 100)
                .Select(i => new TableTransactionAction(
                    TableTransactionActionType.Add,
                    new TableEntity("hub", $"{batch * 100 + i:D5}") { ["N"] = batch * 100 + i }))
                .ToList();
            await table.SubmitTransactionAsync(actions);
        }

        var first = await table.QueryPageAsync(TableFilter.Format($"PartitionKey eq {"hub"}"));
        var second = await table.QueryPageAsync(TableFilter.Format($"PartitionKey eq {"hub"}"), continuationToken: first.ContinuationToken);
        var all = new List<TableEntity>();
        await foreach (var entity in table.QueryAsync(TableFilter.Format($"PartitionKey eq {"hub"} and N ge {0}"), select: ["N"], pageSize: 1000))
        {
            all.Add(entity);
        }

        Assert.Equal(1000, first.Entities.Count);
        Assert.NotNull(first.ContinuationToken);
        Assert.Equal("01000", second.Entities[0].RowKey);
        Assert.Equal(2500, all.Count);
        Assert.Equal(Enumerable.Range(0, 2500), all.Select(e => e.GetInt32("N")!.Value));
    }

    [Fact]
    public async Task Query_FilterWithQuoteInValueAndTop_MatchesOnlyThatEntity()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "1") { ["Name"] = "O'Brien", ["Big"] = 5_000_000_000L });
        await table.AddEntityAsync(new TableEntity("p", "2") { ["Name"] = "O", ["Big"] = 1L });
        await table.AddEntityAsync(new TableEntity("p", "3") { ["Name"] = "O'Brien' or Name ne '", ["Big"] = 2L });

        var byName = await table.QueryPageAsync(TableFilter.Format($"Name eq {"O'Brien"}"));
        var byLong = await table.QueryPageAsync(TableFilter.Format($"Big gt {4_000_000_000L}"));
        var top = await table.QueryPageAsync(pageSize: 2);

        Assert.Equal("1", Assert.Single(byName.Entities).RowKey);
        Assert.Equal("1", Assert.Single(byLong.Entities).RowKey);
        Assert.Equal(2, top.Entities.Count);
        Assert.NotNull(top.ContinuationToken);
    }

    [Fact]
    public async Task SubmitTransaction_AllSucceed_AppliesAllAndReturnsETags()
    {
        var table = await NewTableAsync();
        var existing = await table.AddEntityAsync(new TableEntity("p", "update") { ["V"] = 1 });
        await table.AddEntityAsync(new TableEntity("p", "delete"));

        var results = await table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "add") { ["V"] = 1 }),
            new(TableTransactionActionType.UpdateMerge, new TableEntity("p", "update") { ["V"] = 2, ETag = existing }),
            new(TableTransactionActionType.UpsertReplace, new TableEntity("p", "upsert") { ["V"] = 3 }),
            new(TableTransactionActionType.Delete, new TableEntity("p", "delete")),
        ]);

        Assert.Equal(4, results.Count);
        Assert.All(results, r => Assert.Equal(204, r.Status));
        Assert.NotNull(results[0].ETag);
        Assert.Equal(2, (await table.GetEntityIfExistsAsync("p", "update"))!.GetInt32("V"));
        Assert.NotNull(await table.GetEntityIfExistsAsync("p", "add"));
        Assert.Null(await table.GetEntityIfExistsAsync("p", "delete"));
    }

    [Fact]
    public async Task SubmitTransaction_OneActionFails_NothingAppliedAndFailedIndexReported()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "exists") { ["V"] = 0 });
        await table.AddEntityAsync(new TableEntity("p", "taken"));
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, new TableEntity("p", "a")),
            new(TableTransactionActionType.UpsertMerge, new TableEntity("p", "exists") { ["V"] = 99 }),
            new(TableTransactionActionType.Add, new TableEntity("p", "b")),
            new(TableTransactionActionType.Add, new TableEntity("p", "taken")),
            new(TableTransactionActionType.Add, new TableEntity("p", "c")),
        };

        var ex = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.SubmitTransactionAsync(actions));

        Assert.Equal(409, ex.Status);
        Assert.Equal("EntityAlreadyExists", ex.ErrorCode);
        Assert.Equal(3, ex.FailedActionIndex);
        Assert.Contains("action 3", ex.Message, StringComparison.Ordinal);
        Assert.Null(await table.GetEntityIfExistsAsync("p", "a"));
        Assert.Null(await table.GetEntityIfExistsAsync("p", "b"));
        Assert.Equal(0, (await table.GetEntityIfExistsAsync("p", "exists"))!.GetInt32("V"));
    }

    [Fact]
    public async Task SubmitTransaction_MixedPartitionsOrOver100_RejectedBeforeAnyRequest()
    {
        // The table does not exist, so any request would fail with 404 rather than ArgumentException.
        var table = _account.GetTableClient(AzuriteFixture.UniqueName("missing"));
        var mixed = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, new TableEntity("p1", "a")),
            new(TableTransactionActionType.Add, new TableEntity("p2", "b")),
        };
        var tooMany = Enumerable.Range(0, 101).Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"{i}"))).ToList();

        var mixedEx = await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(mixed));
        var tooManyEx = await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(tooMany));

        Assert.Contains("PartitionKey", mixedEx.Message, StringComparison.Ordinal);
        Assert.Contains("101", tooManyEx.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddEntity_StringOver32KChars_RejectedBeforeAnyRequest()
    {
        var table = _account.GetTableClient(AzuriteFixture.UniqueName("missing"));

        var ex = await Assert.ThrowsAsync<ArgumentException>(
            () => table.AddEntityAsync(new TableEntity("p", "r") { ["Big"] = new string('x', 32 * 1024 + 1) }));

        Assert.Contains("64 KiB", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operation_OnDeletedTable_Throws404WithCodeAndResource()
    {
        var table = await NewTableAsync();
        await table.DeleteAsync();

        var ex = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.AddEntityAsync(new TableEntity("p", "r")));

        Assert.Equal(404, ex.Status);
        Assert.Equal("TableNotFound", ex.ErrorCode);
        Assert.Contains(table.Name, ex.Message, StringComparison.Ordinal);
    }
}
