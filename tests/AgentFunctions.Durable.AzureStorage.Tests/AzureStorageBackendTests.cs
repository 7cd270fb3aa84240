using AgentFunctions.Durable.Backend;
using AgentFunctions.Storage;
using AgentFunctions.Storage.Tables;
using AgentFunctions.Testing;

namespace AgentFunctions.Durable.AzureStorage.Tests;

[Collection(AzuriteFixture.Collection)]
public sealed class AzureStorageBackendTests(AzuriteFixture azurite)
{
    private static DurableTaskRegistry Registry() => new DurableTaskRegistry()
        .AddActivityFunc<string, string>("Grow", (_, s) => s + new string('y', 60_000))
        .AddOrchestratorFunc<string, int>("Big", async (ctx, s) =>
        {
            var grown = await ctx.CallActivityAsync<string>("Grow", s);
            return grown.Length;
        })
        .AddOrchestratorFunc<string, string>("Wait", (ctx, _) => ctx.WaitForExternalEvent<string>("Go"));

    private async Task<(AzureStorageOrchestrationBackend Backend, DurableTaskWorker Worker, DurableTaskClient Client)> StartAsync(AzureStorageBackendOptions options)
    {
        var backend = AzureStorageOrchestrationBackend.Create(azurite.ConnectionString, options);
        var worker = new DurableTaskWorker(backend, Registry());
        await worker.StartAsync(CancellationToken.None);
        return (backend, worker, new DurableTaskClient(backend, Registry()));
    }

    [Fact]
    public async Task InstanceRowOfAnEarlierBuild_UnderAnEmptyRowKey_IsReadThenMovedAndItsRunGoesOn()
    {
        var options = TestHubs.Options();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string id;
        using var account = new StorageAccountClient(azurite.ConnectionString);
        var rows = account.GetTableClient(new TaskHubNames(options.TaskHubName).InstancesTable);
        var (first, firstWorker, firstClient) = await StartAsync(options);
        await using (first)
        await using (firstWorker)
        {
            id = await firstClient.ScheduleNewOrchestrationInstanceAsync("Wait", "x");
            await firstClient.WaitForInstanceStartAsync(id, cancellationToken: cts.Token);
            await firstWorker.StopAsync(cts.Token);
        }

        // Rewrite the row the way builds before the RowKey change stored it (Durable Functions' empty RowKey).
        var row = (await rows.GetEntityIfExistsAsync(id, id, cancellationToken: cts.Token))!;
        var legacy = new TableEntity(id, "");
        foreach (var (name, value) in row)
        {
            legacy[name] = value;
        }

        await rows.AddEntityAsync(legacy, cts.Token);
        await rows.DeleteEntityAsync(id, id, "*", cts.Token);

        var unleased = AzureStorageOrchestrationBackend.Create(azurite.ConnectionString, options);
        await using (unleased)
        {
            Assert.Equal(OrchestrationRuntimeStatus.Running, (await unleased.GetStateAsync(id, cts.Token))!.RuntimeStatus);
        }

        var (second, secondWorker, secondClient) = await StartAsync(options);
        await using var _ = second;
        await using var __ = secondWorker;
        await secondClient.RaiseEventAsync(id, "Go", "went", cts.Token);
        var done = await secondClient.WaitForInstanceCompletionAsync(id, cancellationToken: cts.Token);

        Assert.Equal("went", done.ReadOutputAs<string>());
        Assert.Null(await rows.GetEntityIfExistsAsync(id, "", cancellationToken: cts.Token));
        Assert.Equal("Completed", (await rows.GetEntityIfExistsAsync(id, id, cancellationToken: cts.Token))!.GetString("RuntimeStatus"));
    }

    [Fact]
    public async Task LargePayloads_OverQueueAndTableLimits_RoundTripThroughBlobs()
    {
        var options = TestHubs.Options();
        var (backend, worker, client) = await StartAsync(options);
        await using var _ = backend;
        await using var __ = worker;
        var input = new string('x', 70_000);

        var id = await client.ScheduleNewOrchestrationInstanceAsync("Big", input);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var result = await client.WaitForInstanceCompletionAsync(id, cancellationToken: cts.Token);

        Assert.Equal(130_000, result.ReadOutputAs<int>());
        Assert.Equal(input, result.ReadInputAs<string>());
        using var account = new StorageAccountClient(azurite.ConnectionString);
        var blobs = new List<string>();
        await foreach (var blob in account.GetBlobContainerClient(backend.Names.LargeMessagesContainer).ListBlobsAsync($"{id}/"))
        {
            blobs.Add(blob.Name);
        }

        Assert.NotEmpty(blobs);
    }

    [Fact]
    public async Task PurgeInstanceAsync_Finished_RemovesRowHistoryAndBlobs()
    {
        var (backend, worker, client) = await StartAsync(TestHubs.Options());
        await using var _ = backend;
        await using var __ = worker;
        var id = await client.ScheduleNewOrchestrationInstanceAsync("Big", new string('x', 70_000));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await client.WaitForInstanceCompletionAsync(id, cancellationToken: cts.Token);

        var purged = await client.PurgeInstanceAsync(id);

        Assert.Equal(1, purged.PurgedInstanceCount);
        using var account = new StorageAccountClient(azurite.ConnectionString);
        Assert.Null(await account.GetTableClient(backend.Names.InstancesTable).GetEntityIfExistsAsync(id, id));
        var historyRows = 0;
        await foreach (var row in account.GetTableClient(backend.Names.HistoryTable).QueryAsync(Storage.Tables.TableFilter.Format($"PartitionKey eq {id}")))
        {
            historyRows++;
        }

        Assert.Equal(0, historyRows);
        var blobs = 0;
        await foreach (var blob in account.GetBlobContainerClient(backend.Names.LargeMessagesContainer).ListBlobsAsync($"{id}/"))
        {
            blobs++;
        }

        Assert.Equal(0, blobs);
    }

    [Fact]
    public async Task TaskHubLease_SecondHost_WaitsThenTakesOverWhenFirstStops()
    {
        var hub = TestHubs.NewName();
        var (first, firstWorker, client) = await StartAsync(TestHubs.Options(hub) with { HostId = "host-a" });
        await WaitUntilAsync(() => first.IsProcessing);
        var (second, secondWorker, secondClient) = await StartAsync(TestHubs.Options(hub) with { HostId = "host-b", LeaseAcquireInterval = TimeSpan.FromMilliseconds(200) });
        await using var _ = second;
        await using var __ = secondWorker;

        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.True(first.IsProcessing);
        Assert.False(second.IsProcessing);
        var id = await client.ScheduleNewOrchestrationInstanceAsync("Wait");
        await firstWorker.StopAsync(CancellationToken.None);
        await first.DisposeAsync();

        await WaitUntilAsync(() => second.IsProcessing);
        await secondClient.RaiseEventAsync(id, "Go", "taken over");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var result = await secondClient.WaitForInstanceCompletionAsync(id, cancellationToken: cts.Token);

        Assert.Equal("taken over", result.ReadOutputAs<string>());
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("1hub")]
    [InlineData("hub-name")]
    [InlineData("averyveryveryveryveryveryveryverylonghubname12")]
    public void Options_InvalidHubName_RejectedWithTheRule(string hub)
    {
        var error = Assert.Throws<ArgumentException>(() => new AzureStorageBackendOptions { TaskHubName = hub }.Validate());

        Assert.Contains($"'{hub}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 to 45 characters", error.Message, StringComparison.Ordinal);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            await Task.Delay(50, cts.Token);
        }
    }
}
