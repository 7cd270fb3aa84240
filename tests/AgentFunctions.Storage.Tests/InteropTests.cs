using System.Text.Json;
using AgentFunctions.Storage.Queues;
using AgentFunctions.Storage.Tables;
using AgentFunctions.Testing;

namespace AgentFunctions.Storage.Tests;

/// <summary>Our client and the official JavaScript SDKs read each other's queue messages, blobs and entities.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class InteropTests(AzuriteFixture azurite) : IDisposable
{
    private readonly StorageAccountClient _account = new(azurite.ConnectionString);

    public void Dispose() => _account.Dispose();

    private async Task<JsonElement> RunAsync(string script, string mode, Dictionary<string, string> env)
    {
        env["CONNECTION"] = azurite.ConnectionString;
        var path = Path.Combine(AppContext.BaseDirectory, "Interop", script);
        var result = await NodeScript.RunAsync(path, env, TimeSpan.FromSeconds(60), CancellationToken.None, mode);
        Assert.True(result.ExitCode == 0, $"{script} {mode} failed ({result.ExitCode}):\n{result.StandardError}\n{result.StandardOutput}");
        return result.StandardOutput.Length == 0 ? default : JsonDocument.Parse(result.StandardOutput).RootElement.Clone();
    }

    [Fact]
    public async Task Queue_OurBase64Message_IsReadByJavaScriptSdk()
    {
        var queue = _account.GetQueueClient(AzuriteFixture.UniqueName("interop-"));
        await queue.CreateIfNotExistsAsync();
        const string body = "{\"batchId\":\"b1\",\"q\":\"naïve 🚀 <&>\"}";

        await queue.SendMessageAsync(body);
        var read = await RunAsync("queue-interop.js", "read", new() { ["QUEUE"] = queue.Name });

        Assert.Equal(body, read.GetProperty("decoded").GetString());
    }

    [Fact]
    public async Task Queue_JavaScriptSdkMessages_AreReadByOurClientInBothEncodings()
    {
        var queue = _account.GetQueueClient(AzuriteFixture.UniqueName("interop-"));
        await queue.CreateIfNotExistsAsync();
        const string text = "hello from JS <é>";

        await RunAsync("queue-interop.js", "send", new() { ["QUEUE"] = queue.Name, ["TEXT"] = text });
        var messages = await queue.ReceiveMessagesAsync(maxMessages: 2);

        Assert.Equal(2, messages.Count);
        Assert.Equal(text, messages[0].Body);
        Assert.Equal(QueueMessageEncoding.Base64, messages[0].Encoding);
        var raw = messages[1] with { Encoding = QueueMessageEncoding.None };
        Assert.Equal("raw:" + text, raw.Body);
    }

    [Fact]
    public async Task Blob_WrittenByEither_IsReadByTheOther()
    {
        var container = _account.GetBlobContainerClient(AzuriteFixture.UniqueName("interop-"));
        await container.CreateIfNotExistsAsync();

        var ours = await container.GetBlobClient("from-dotnet/a b.json").UploadAsync("{\"from\":\"dotnet é\"}");
        var jsRead = await RunAsync("blob-interop.js", "read", new() { ["CONTAINER"] = container.Name, ["BLOB"] = "from-dotnet/a b.json" });
        var jsWrite = await RunAsync("blob-interop.js", "write", new() { ["CONTAINER"] = container.Name, ["BLOB"] = "from-js.json", ["TEXT"] = "{\"from\":\"js ü\"}" });
        var ourRead = await container.GetBlobClient("from-js.json").DownloadAsync();

        Assert.Equal("{\"from\":\"dotnet é\"}", jsRead.GetProperty("text").GetString());
        Assert.Equal(ours.ETag, jsRead.GetProperty("etag").GetString());
        Assert.Equal("{\"from\":\"js ü\"}", ourRead.Content.ToString());
        Assert.Equal(jsWrite.GetProperty("etag").GetString(), ourRead.ETag);
    }

    [Fact]
    public async Task Table_EntitiesWrittenByEither_KeepTheirTypesInTheOther()
    {
        var table = _account.GetTableClient(AzuriteFixture.UniqueName("interop"));
        await table.CreateIfNotExistsAsync();
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        await table.AddEntityAsync(new TableEntity("p", "from-dotnet")
        {
            ["Text"] = "it's .NET", ["Int"] = 7, ["Long"] = 9_007_199_254_740_993L, ["Double"] = 2.0, ["Flag"] = true,
            ["When"] = new DateTimeOffset(2024, 3, 1, 12, 0, 0, 123, TimeSpan.Zero), ["Id"] = id, ["Bytes"] = new byte[] { 1, 2, 250 },
        });

        var jsRead = await RunAsync("table-interop.js", "read", new() { ["TABLE"] = table.Name });
        await RunAsync("table-interop.js", "write", new() { ["TABLE"] = table.Name });
        var ourRead = await table.GetEntityIfExistsAsync("p", "from-js");

        Assert.Equal("it's .NET", jsRead.GetProperty("text").GetString());
        Assert.Equal(7, jsRead.GetProperty("int").GetInt32());
        Assert.Equal("9007199254740993", jsRead.GetProperty("long").GetString());
        Assert.Equal(2.0, jsRead.GetProperty("double").GetDouble());
        Assert.True(jsRead.GetProperty("flag").GetBoolean());
        Assert.Equal("2024-03-01T12:00:00.123Z", jsRead.GetProperty("when").GetString());
        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", jsRead.GetProperty("id").GetString());
        Assert.Equal("0102fa", jsRead.GetProperty("bytes").GetString());

        Assert.NotNull(ourRead);
        Assert.Equal("it's JS", ourRead.GetString("Text"));
        Assert.Equal(7, ourRead.GetInt32("Int"));
        Assert.Equal(9_007_199_254_740_993L, ourRead.GetInt64("Long"));
        Assert.Equal(2.5, ourRead.GetDouble("Double"));
        Assert.False(ourRead.GetBoolean("Flag"));
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 12, 0, 0, 123, TimeSpan.Zero), ourRead.GetDateTimeOffset("When"));
        Assert.Equal(id, ourRead.GetGuid("Id"));
        Assert.Equal(new byte[] { 1, 2, 250 }, ourRead.GetBinary("Bytes"));
    }
}
