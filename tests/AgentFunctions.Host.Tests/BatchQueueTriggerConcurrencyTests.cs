using System.Text;
using AgentFunctions.Host.Batch;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Research.Orchestration;
using AgentFunctions.Research.Publishing;
using AgentFunctions.Testing;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Host.Tests;

/// <summary>
/// The queue trigger in process on Azurite, with a starter that holds each batch until released: how many
/// messages it takes on at once is the thing tested, so the starter records calls instead of starting runs.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class BatchQueueTriggerConcurrencyTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly QueueServiceClient _raw = AzuriteHost.RawQueues(azurite);

    public Task InitializeAsync() => AzuriteHost.ResetQueuesAsync(_raw);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ExecuteAsync_SlowBatches_FetchesTheNextBatchOnlyOnceNoMoreThanNewBatchThresholdAreRunning()
    {
        var starter = new HoldingStarter();
        using var trigger = NewTrigger(starter, ("batchSize", "2"), ("newBatchThreshold", "1"));
        var queue = AzuriteHost.Base64Queues(azurite).GetQueueClient(AzuriteHost.BatchQueue);
        for (var i = 0; i < 6; i++)
        {
            await queue.SendMessageAsync($$"""{"batchId": "c{{i}}", "questions": ["Q{{i}}?"]}""");
        }

        await trigger.StartAsync(CancellationToken.None);
        try
        {
            await AzuriteHost.WaitUntilAsync(() => Task.FromResult(starter.Running == 2), TimeSpan.FromSeconds(10), () => $"{starter.Running} running");
            await Task.Delay(TimeSpan.FromSeconds(1));
            var whileTwoRun = starter.Running;
            starter.ReleaseOne();
            await AzuriteHost.WaitUntilAsync(() => Task.FromResult(starter.Running == 3), TimeSpan.FromSeconds(10), () => $"{starter.Running} running after one finished");
            await Task.Delay(TimeSpan.FromSeconds(1));
            var afterOneFinished = starter.MaxRunning;
            starter.ReleaseAll();
            await AzuriteHost.WaitUntilAsync(
                async () => starter.Started.Count == 6 && (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0,
                TimeSpan.FromSeconds(20),
                () => $"{starter.Started.Count} of 6 started");

            // batchSize 2 at first; one finishing leaves 1 (= newBatchThreshold), so 2 more are fetched: 3 at most.
            Assert.Equal(2, whileTwoRun);
            Assert.Equal(3, afterOneFinished);
            Assert.Equal(Enumerable.Range(0, 6).Select(i => $"batch-c{i}").Order(StringComparer.Ordinal), starter.Started.Order(StringComparer.Ordinal));
        }
        finally
        {
            starter.ReleaseAll();
            await trigger.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task ExecuteAsync_StarterFailsEveryTime_MessageMovesIntactToPoisonAfterMaxDequeueCount()
    {
        var starter = new HoldingStarter { Failure = new InvalidOperationException("engine down") };
        starter.ReleaseAll();
        using var trigger = NewTrigger(starter, ("maxDequeueCount", "2"), ("visibilityTimeout", "00:00:00"));
        var text = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"batchId": "p1", "questions": ["Q?"]}"""));
        await _raw.GetQueueClient(AzuriteHost.BatchQueue).SendMessageAsync(text);

        await trigger.StartAsync(CancellationToken.None);
        try
        {
            var poison = _raw.GetQueueClient(AzuriteHost.PoisonQueue);
            await AzuriteHost.WaitUntilAsync(
                async () => (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount == 1, TimeSpan.FromSeconds(20), () => "nothing reached the poison queue");

            var moved = Assert.Single((await poison.PeekMessagesAsync(8)).Value);
            Assert.Equal(text, moved.Body.ToString());
            Assert.Equal(2, starter.Calls);
        }
        finally
        {
            await trigger.StopAsync(CancellationToken.None);
        }
    }

    private BatchQueueTrigger NewTrigger(HoldingStarter starter, params (string Key, string Value)[] queues)
    {
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.200",
        };
        foreach (var (key, value) in queues)
        {
            values[$"AzureFunctionsJobHost:extensions:queues:{key}"] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new BatchQueueTrigger(
            StorageConnection.Resolve(configuration),
            starter,
            HostSettings.Load(configuration),
            CallbackUrlPolicy.Default,
            TimeProvider.System,
            NullLogger<BatchQueueTrigger>.Instance);
    }

    /// <summary>Records each start and holds it until released.</summary>
    private sealed class HoldingStarter : IBatchStarter
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<TaskCompletionSource> _held = new();
        private volatile bool _releaseAll;
        private int _running;
        private int _maxRunning;
        private int _calls;

        public Exception? Failure { get; init; }

        public System.Collections.Concurrent.ConcurrentBag<string> Started { get; } = [];

        public int Running => Volatile.Read(ref _running);

        public int MaxRunning => Volatile.Read(ref _maxRunning);

        public int Calls => Volatile.Read(ref _calls);

        public void ReleaseOne()
        {
            if (_held.TryDequeue(out var first))
            {
                first.TrySetResult();
            }
        }

        public void ReleaseAll()
        {
            _releaseAll = true;
            while (_held.TryDequeue(out var held))
            {
                held.TrySetResult();
            }
        }

        public async Task<BatchStartResult> StartAsync(string instanceId, BatchRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            var running = Interlocked.Increment(ref _running);
            int max;
            while (running > (max = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, running, max) != max)
            {
            }

            try
            {
                var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _held.Enqueue(hold);
                if (_releaseAll)
                {
                    hold.TrySetResult();
                }

                await hold.Task.WaitAsync(cancellationToken);
                if (Failure is not null)
                {
                    throw Failure;
                }

                Started.Add(instanceId);
                return new BatchStartResult(Started: true, ExistingStatus: null);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }
}
