using AgentFunctions.Durable.History;
using AgentFunctions.Testing;

namespace AgentFunctions.Durable.AzureStorage.Tests;

[Collection(AzuriteFixture.Collection)]
public sealed class PayloadStoreTests(AzuriteFixture azurite)
{
    private async Task<PayloadStore> StoreAsync()
    {
        var account = new Storage.StorageAccountClient(azurite.ConnectionString);
        var container = account.GetBlobContainerClient(TestHubs.NewName() + "-large");
        await container.CreateIfNotExistsAsync();
        return new PayloadStore(container, 1024);
    }

    [Fact]
    public async Task DecodeMessagesAsync_PackedEnvelopes_ReturnsEveryMessageInOrder()
    {
        var store = await StoreAsync();
        var messages = new[]
        {
            new TaskMessage("a", "x1", new EventRaisedEvent(DateTimeOffset.UnixEpoch, "One", "\"1\"")),
            new TaskMessage("b", "x2", new EventRaisedEvent(DateTimeOffset.UnixEpoch, "Two", "\"" + new string('z', 5_000) + "\"")),
        };
        var envelopes = new List<string>();
        foreach (var m in messages)
        {
            envelopes.Add(await store.EncodeEnvelopeAsync(m, CancellationToken.None));
        }

        var decoded = await store.DecodeMessagesAsync(PayloadStore.Pack(envelopes), CancellationToken.None);

        Assert.Equal(["a", "b"], decoded.Select(m => m.InstanceId));
        Assert.Equal(["One", "Two"], decoded.Select(m => ((EventRaisedEvent)m.Event).Name));
        Assert.Equal(((EventRaisedEvent)messages[1].Event).Input, ((EventRaisedEvent)decoded[1].Event).Input);
        Assert.Contains("\"b\":", envelopes[1], StringComparison.Ordinal); // the large one went to a blob
    }

    [Fact]
    public async Task Pack_OneEnvelope_IsTheEnvelopeItself()
    {
        var store = await StoreAsync();
        var envelope = await store.EncodeEnvelopeAsync(new TaskMessage("a", null, new EventRaisedEvent(DateTimeOffset.UnixEpoch, "One", null)), CancellationToken.None);

        var body = PayloadStore.Pack([envelope]);
        var decoded = await store.DecodeMessagesAsync(body, CancellationToken.None);

        Assert.Equal(envelope, body);
        Assert.Equal("a", Assert.Single(decoded).InstanceId);
    }

    [Theory]
    [InlineData("[]", "not a JSON object")]
    [InlineData("{\"m\":[]}", "not a non-empty array")]
    [InlineData("{\"m\":[{\"x\":\"1\"}]}", "names no instance")]
    public async Task DecodeMessagesAsync_Malformed_ThrowsNamingTheProblem(string body, string expected)
    {
        var store = await StoreAsync();

        var error = await Assert.ThrowsAsync<System.Text.Json.JsonException>(() => store.DecodeMessagesAsync(body, CancellationToken.None));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
