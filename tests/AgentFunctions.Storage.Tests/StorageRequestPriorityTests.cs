using System.Net;

namespace AgentFunctions.Storage.Tests;

public sealed class StorageRequestPriorityTests
{
    /// <summary>Holds every request until released; counts what arrived.</summary>
    private sealed class GatedHandler : HttpMessageHandler
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public int Arrived => Volatile.Read(ref _arrived);

        public void Release() => _release.TrySetResult();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _arrived);
            if (!request.RequestUri!.AbsolutePath.Contains("foreground", StringComparison.Ordinal))
            {
                await _release.Task.WaitAsync(cancellationToken);
            }

            return new HttpResponseMessage(HttpStatusCode.Created) { Content = new ByteArrayContent([]) };
        }
    }

    private static StorageAccountClient Account(HttpMessageHandler handler, int maxBackground, int whileForeground = 1) =>
        new(
            StorageConnectionString.Parse("UseDevelopmentStorage=true"),
            new StorageClientOptions { MaxBackgroundInFlight = maxBackground, MaxBackgroundInFlightWhileForeground = whileForeground, ForegroundQuietPeriod = TimeSpan.FromMinutes(10) },
            TimeProvider.System,
            handler);

    private static async Task WaitForArrivalsAsync(GatedHandler handler, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (handler.Arrived < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Background_OverTheLimit_WaitsButForegroundGoesAtOnce()
    {
        using var handler = new GatedHandler();
        using var account = Account(handler, maxBackground: 2);
        List<Task> background;
        using (StorageRequestPriority.Background())
        {
            background = [.. Enumerable.Range(0, 5).Select(i => account.GetQueueClient($"background-{i}").CreateIfNotExistsAsync())];
        }

        await WaitForArrivalsAsync(handler, 2);
        await account.GetQueueClient("foreground").CreateIfNotExistsAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var arrivedBeforeRelease = handler.Arrived;
        handler.Release();
        await Task.WhenAll(background).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(3, arrivedBeforeRelease); // two background (the limit) and the foreground one
        Assert.Equal(6, handler.Arrived);
        Assert.False(StorageRequestPriority.IsBackground);
    }

    [Fact]
    public async Task Background_AfterForegroundActivity_IsHeldToTheSmallerLimit()
    {
        using var handler = new GatedHandler();
        using var account = Account(handler, maxBackground: 5, whileForeground: 1);
        await account.GetQueueClient("foreground").CreateIfNotExistsAsync().WaitAsync(TimeSpan.FromSeconds(10));
        List<Task> background;
        using (StorageRequestPriority.Background())
        {
            background = [.. Enumerable.Range(0, 5).Select(i => account.GetQueueClient($"background-{i}").CreateIfNotExistsAsync())];
        }

        await WaitForArrivalsAsync(handler, 2);
        await Task.Delay(100); // room for a wrongly admitted third request to arrive
        var arrivedBeforeRelease = handler.Arrived;
        handler.Release();
        await Task.WhenAll(background).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, arrivedBeforeRelease); // the foreground request and one background request
        Assert.Equal(6, handler.Arrived);
    }

    [Fact]
    public async Task Upkeep_NeverWaitsAndDoesNotThrottleBackground()
    {
        using var handler = new GatedHandler();
        using var account = Account(handler, maxBackground: 3, whileForeground: 1);
        using (StorageRequestPriority.Upkeep())
        {
            await account.GetQueueClient("foreground-upkeep").CreateIfNotExistsAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        List<Task> background;
        using (StorageRequestPriority.Background())
        {
            background = [.. Enumerable.Range(0, 3).Select(i => account.GetQueueClient($"background-{i}").CreateIfNotExistsAsync())];
        }

        await WaitForArrivalsAsync(handler, 4);
        var arrivedBeforeRelease = handler.Arrived;
        handler.Release();
        await Task.WhenAll(background).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(4, arrivedBeforeRelease); // the upkeep request and all three background ones: no throttle
        Assert.Equal(StorageRequestPriority.Level.Foreground, StorageRequestPriority.Current);
    }
}
