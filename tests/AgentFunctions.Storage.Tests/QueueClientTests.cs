using AgentFunctions.Storage.Queues;
using AgentFunctions.Testing;

namespace AgentFunctions.Storage.Tests;

[Collection(AzuriteFixture.Collection)]
public sealed class QueueClientTests(AzuriteFixture azurite) : IDisposable
{
    private readonly StorageAccountClient _account = new(azurite.ConnectionString);

    public void Dispose() => _account.Dispose();

    private async Task<QueueClient> NewQueueAsync(StorageAccountClient? account = null)
    {
        var queue = (account ?? _account).GetQueueClient(AzuriteFixture.UniqueName("q-"));
        Assert.True(await queue.CreateIfNotExistsAsync());
        return queue;
    }

    [Fact]
    public async Task CreateIfNotExists_Twice_SecondReturnsFalse()
    {
        var queue = await NewQueueAsync();

        var created = await queue.CreateIfNotExistsAsync();

        Assert.False(created);
    }

    [Fact]
    public async Task SendThenReceive_Base64_RoundTripsUnicodeBodyAndMetadata()
    {
        var queue = await NewQueueAsync();
        const string body = "{\"q\":\"naïve <b>&amp;</b> 🚀\"}";

        var receipt = await queue.SendMessageAsync(body);
        var messages = await queue.ReceiveMessagesAsync(maxMessages: 32, visibilityTimeout: TimeSpan.FromSeconds(30));

        var message = Assert.Single(messages);
        Assert.Equal(receipt.MessageId, message.MessageId);
        Assert.Equal(body, message.Body);
        Assert.Equal(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(body)), message.MessageText);
        Assert.Equal(1, message.DequeueCount);
        Assert.True(message.NextVisibleOn > DateTimeOffset.UtcNow.AddSeconds(20));
        Assert.True(message.ExpiresOn > message.InsertedOn.AddDays(6));
    }

    [Fact]
    public async Task SendMessage_EncodingNone_StoresTextAsIs()
    {
        using var account = new StorageAccountClient(azurite.ConnectionString, new StorageClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var queue = await NewQueueAsync(account);

        await queue.SendMessageAsync("plain <text> & 'quotes'");
        var peeked = Assert.Single(await queue.PeekMessagesAsync());

        Assert.Equal("plain <text> & 'quotes'", peeked.MessageText);
        Assert.Equal("plain <text> & 'quotes'", peeked.Body);
    }

    [Fact]
    public async Task SendMessage_WithVisibilityDelay_IsInvisibleUntilDelayPasses()
    {
        var queue = await NewQueueAsync();

        var receipt = await queue.SendMessageAsync("later", visibilityDelay: TimeSpan.FromSeconds(2));
        var early = await queue.ReceiveMessagesAsync();
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var late = await queue.ReceiveMessagesAsync();

        Assert.Empty(early);
        Assert.True(receipt.NextVisibleOn > receipt.InsertedOn);
        Assert.Equal("later", Assert.Single(late).Body);
    }

    [Fact]
    public async Task SendMessage_WithShortTimeToLive_ExpiresUnread()
    {
        var queue = await NewQueueAsync();

        var receipt = await queue.SendMessageAsync("short-lived", timeToLive: TimeSpan.FromSeconds(1));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var messages = await queue.ReceiveMessagesAsync();

        Assert.True(receipt.ExpiresOn <= receipt.InsertedOn.AddSeconds(1));
        Assert.Empty(messages);
    }

    [Fact]
    public async Task SendMessage_InfiniteTimeToLive_ExpiresFarInTheFuture()
    {
        var queue = await NewQueueAsync();

        var receipt = await queue.SendMessageAsync("forever", timeToLive: Timeout.InfiniteTimeSpan);

        Assert.True(receipt.ExpiresOn > DateTimeOffset.UtcNow.AddYears(100));
    }

    [Fact]
    public async Task Receive_AfterVisibilityExpires_DequeueCountIncrements()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("again");

        var first = Assert.Single(await queue.ReceiveMessagesAsync(visibilityTimeout: TimeSpan.FromSeconds(1)));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var second = Assert.Single(await queue.ReceiveMessagesAsync(visibilityTimeout: TimeSpan.FromSeconds(1)));

        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(1, first.DequeueCount);
        Assert.Equal(2, second.DequeueCount);
        Assert.NotEqual(first.PopReceipt, second.PopReceipt);
    }

    [Fact]
    public async Task UpdateMessage_RenewsVisibilityAndReplacesBody()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("v1");
        var received = Assert.Single(await queue.ReceiveMessagesAsync(visibilityTimeout: TimeSpan.FromSeconds(1)));

        var update = await queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, TimeSpan.FromSeconds(30), "v2");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var hidden = await queue.ReceiveMessagesAsync();
        await queue.UpdateMessageAsync(received.MessageId, update.PopReceipt, TimeSpan.Zero);
        var visible = Assert.Single(await queue.ReceiveMessagesAsync());

        Assert.NotEqual(received.PopReceipt, update.PopReceipt);
        Assert.Empty(hidden);
        Assert.Equal("v2", visible.Body);
    }

    [Fact]
    public async Task DeleteMessage_WithStalePopReceipt_Throws400PopReceiptMismatch()
    {
        // Azure answers a receipt superseded by an update with 400 PopReceiptMismatch (the message still exists).
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("x");
        var received = Assert.Single(await queue.ReceiveMessagesAsync());
        await queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, TimeSpan.FromSeconds(30));

        var ex = await Assert.ThrowsAsync<StorageRequestFailedException>(
            () => queue.DeleteMessageAsync(received.MessageId, received.PopReceipt));

        Assert.Equal(400, ex.Status);
        Assert.Equal("PopReceiptMismatch", ex.ErrorCode);
        Assert.Contains("DELETE", ex.Message, StringComparison.Ordinal);
        Assert.Contains(queue.Name, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteMessage_AlreadyDeleted_Throws404MessageNotFound()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("x");
        var received = Assert.Single(await queue.ReceiveMessagesAsync());
        await queue.DeleteMessageAsync(received.MessageId, received.PopReceipt);

        var ex = await Assert.ThrowsAsync<StorageRequestFailedException>(
            () => queue.DeleteMessageAsync(received.MessageId, received.PopReceipt));

        Assert.Equal(404, ex.Status);
        Assert.Equal("MessageNotFound", ex.ErrorCode);
    }

    [Fact]
    public async Task DeleteMessage_WithCurrentPopReceipt_RemovesIt()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("x");
        var received = Assert.Single(await queue.ReceiveMessagesAsync());

        await queue.DeleteMessageAsync(received.MessageId, received.PopReceipt);

        Assert.Equal(0, (await queue.GetPropertiesAsync()).ApproximateMessagesCount);
    }

    [Fact]
    public async Task GetPropertiesAndClear_CountMessagesThenEmptyTheQueue()
    {
        var queue = await NewQueueAsync();
        for (var i = 0; i < 5; i++)
        {
            await queue.SendMessageAsync($"m{i}");
        }

        var before = await queue.GetPropertiesAsync();
        await queue.ClearMessagesAsync();
        var after = await queue.GetPropertiesAsync();

        Assert.Equal(5, before.ApproximateMessagesCount);
        Assert.Equal(0, after.ApproximateMessagesCount);
    }

    [Fact]
    public async Task SendMessage_Over64KiBAfterEncoding_IsRefusedBeforeAnyRequest()
    {
        // The queue does not exist: a request would fail with 404, so an ArgumentException proves none was sent.
        var queue = _account.GetQueueClient(AzuriteFixture.UniqueName("missing-"));
        var body = new string('a', 49_200); // 65,600 base64 characters

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => queue.SendMessageAsync(body));

        Assert.Contains("65,600 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("65,536", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendMessage_Exactly64KiBAfterEncoding_IsAccepted()
    {
        var queue = await NewQueueAsync();
        var body = new string('a', 49_152); // exactly 65,536 base64 characters

        await queue.SendMessageAsync(body);

        Assert.Equal(body, Assert.Single(await queue.ReceiveMessagesAsync()).Body);
    }

    [Fact]
    public async Task Body_OfMessageSentWithoutEncoding_ThrowsFormatExceptionKeepingRawText()
    {
        using var plain = new StorageAccountClient(azurite.ConnectionString, new StorageClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var queue = await NewQueueAsync();
        await plain.GetQueueClient(queue.Name).SendMessageAsync("not base64!");

        var message = Assert.Single(await queue.ReceiveMessagesAsync());

        var ex = Assert.Throws<FormatException>(() => message.Body);
        Assert.Contains(message.MessageId, ex.Message, StringComparison.Ordinal);
        Assert.Equal("not base64!", message.MessageText);
    }

    [Fact]
    public async Task DeleteQueue_ThenOperation_Throws404QueueNotFound()
    {
        var queue = await NewQueueAsync();
        await queue.DeleteAsync();

        var ex = await Assert.ThrowsAsync<StorageRequestFailedException>(() => queue.SendMessageAsync("x"));

        Assert.Equal(404, ex.Status);
        Assert.Equal("QueueNotFound", ex.ErrorCode);
        Assert.False(await queue.DeleteIfExistsAsync());
    }
}
