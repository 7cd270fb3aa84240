using AgentFunctions.Testing;

namespace AgentFunctions.Storage.Tests;

public sealed class AzuriteInstanceTests
{
    [Fact]
    public async Task StartNewAsync_PerService_RunsBlobQueueAndTableAsThreeProcessesThatServeRequests()
    {
        await using var azurite = await AzuriteInstance.StartNewAsync(allowExternal: false, perService: true);
        using var account = new StorageAccountClient(azurite.ConnectionString);
        var queue = account.GetQueueClient("split-" + Guid.NewGuid().ToString("N")[..8]);
        var table = account.GetTableClient("split" + Guid.NewGuid().ToString("N")[..8]);
        var container = account.GetBlobContainerClient("split-" + Guid.NewGuid().ToString("N")[..8]);

        await queue.CreateIfNotExistsAsync();
        await table.CreateIfNotExistsAsync();
        await container.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("hello");
        var received = await queue.ReceiveMessagesAsync(1);
        await azurite.StopAsync();

        Assert.Equal("hello", Assert.Single(received).Body);
        Assert.False(azurite.IsRunning);
        Assert.Equal(1, account.RequestsByKind["Queue POST messages"]);
        Assert.Equal(1, account.RequestsByKind["Queue GET messages"]);
    }

    [Fact]
    public async Task StartNewAsync_QueueOnDisk_KeepsQueueMessagesAcrossARestartAndTablesOnlyInMemory()
    {
        await using var azurite = await AzuriteInstance.StartNewAsync(allowExternal: false, queueOnDisk: true);
        using var account = new StorageAccountClient(azurite.ConnectionString);
        var queue = account.GetQueueClient("hybrid-" + Guid.NewGuid().ToString("N")[..8]);
        var table = account.GetTableClient("hybrid" + Guid.NewGuid().ToString("N")[..8]);
        await queue.CreateIfNotExistsAsync();
        await table.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("kept");

        await azurite.StopAsync(graceful: true);
        await azurite.StartAsync();
        var received = await queue.ReceiveMessagesAsync(1);
        var tableCreatedAgain = await table.CreateIfNotExistsAsync();

        Assert.Equal("kept", Assert.Single(received).Body);
        Assert.True(tableCreatedAgain);
    }
}
