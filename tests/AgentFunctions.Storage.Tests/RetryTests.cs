using System.Net;
using AgentFunctions.Storage.Queues;
using AgentFunctions.Testing;

namespace AgentFunctions.Storage.Tests;

public sealed class RetryTests
{
    private static readonly StorageClientOptions _fast = new()
    {
        FirstRetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(50),
        RetryWindow = TimeSpan.FromSeconds(5),
    };

    /// <summary>Answers each request with the next scripted status (the last one repeats) and counts calls.</summary>
    private sealed class ScriptedHandler(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        private int _calls;

        public int Calls => _calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            var status = statuses[Math.Min(call - 1, statuses.Length - 1)];
            var response = new HttpResponseMessage(status) { Content = new ByteArrayContent([]) };
            response.Headers.TryAddWithoutValidation("x-ms-error-code", status == HttpStatusCode.Conflict ? "QueueBeingDeleted" : "ServerBusy");
            return Task.FromResult(response);
        }
    }

    private static StorageAccountClient Account(HttpMessageHandler handler, StorageClientOptions options) =>
        new(StorageConnectionString.Parse("UseDevelopmentStorage=true"), options, TimeProvider.System, handler);

    [Fact]
    public async Task Send_TransientStatusesThenSuccess_RetriesUntilSuccess()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.InternalServerError, HttpStatusCode.GatewayTimeout, HttpStatusCode.Created);
        using var account = Account(handler, _fast);

        var created = await account.GetQueueClient("retry-queue").CreateIfNotExistsAsync();

        Assert.True(created);
        Assert.Equal(4, handler.Calls);
    }

    [Theory]
    [InlineData(HttpStatusCode.Conflict)]
    [InlineData(HttpStatusCode.PreconditionFailed)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task Send_NonTransientStatus_IsNotRetried(HttpStatusCode status)
    {
        var handler = new ScriptedHandler(status, HttpStatusCode.Created);
        using var account = Account(handler, _fast);

        var ex = await Assert.ThrowsAsync<StorageRequestFailedException>(() => account.GetQueueClient("retry-queue").CreateIfNotExistsAsync());

        Assert.Equal((int)status, ex.Status);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task Send_AlwaysBusy_GivesUpAfterTheWindowWithTheLastStatus()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable);
        using var account = Account(handler, _fast with { RetryWindow = TimeSpan.FromMilliseconds(300) });
        var started = DateTime.UtcNow;

        var ex = await Assert.ThrowsAsync<StorageRequestFailedException>(() => account.GetQueueClient("retry-queue").CreateIfNotExistsAsync());

        Assert.Equal(503, ex.Status);
        Assert.Equal("ServerBusy", ex.ErrorCode);
        Assert.True(handler.Calls > 2);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Send_ConnectionRefusedPastTheWindow_ThrowsStatusZeroNamingAttempts()
    {
        // A port nothing listens on: every attempt is refused at once.
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        using var account = new StorageAccountClient(
            $"AccountName=devstoreaccount1;AccountKey={StorageConnectionString.DevelopmentAccountKey};QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
            + $"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1",
            _fast with { RetryWindow = TimeSpan.FromMilliseconds(500) });

        var ex = await Assert.ThrowsAsync<StorageRequestFailedException>(() => account.GetQueueClient("refused").CreateIfNotExistsAsync());

        Assert.Equal(0, ex.Status);
        Assert.IsType<HttpRequestException>(ex.InnerException);
        Assert.Contains("PUT queue 'refused' got no response after", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operation_DuringAzuriteRestart_SucceedsOnceItIsBack()
    {
        // Own process with disk persistence: the queue and its message must survive the restart.
        await using var azurite = await AzuriteInstance.StartNewAsync(inMemory: false, allowExternal: false);
        using var account = new StorageAccountClient(azurite.ConnectionString);
        var queue = account.GetQueueClient("outage");
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("before the outage");

        // Graceful, so Azurite's own metadata survives; the client sees the same refused connections either way.
        await azurite.StopAsync(graceful: true);
        var duringOutage = queue.ReceiveMessagesAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var stillWaiting = !duringOutage.IsCompleted;
        await azurite.StartAsync();
        var messages = await duringOutage.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(stillWaiting);
        Assert.Equal("before the outage", Assert.Single(messages).Body);
    }

    [Fact]
    public async Task ManyConcurrentRequests_OverPooledConnections_AllSucceed()
    {
        await using var azurite = await AzuriteInstance.StartNewAsync();
        using var account = new StorageAccountClient(azurite.ConnectionString, new StorageClientOptions { MaxInFlight = 32 });
        var queue = account.GetQueueClient("concurrent");
        await queue.CreateIfNotExistsAsync();

        await Task.WhenAll(Enumerable.Range(0, 500).Select(i => queue.SendMessageAsync($"m{i}")));

        Assert.Equal(500, (await queue.GetPropertiesAsync()).ApproximateMessagesCount);
    }
}
