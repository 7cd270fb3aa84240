using System.Diagnostics;
using AgentFunctions.Durable.Backend;
using AgentFunctions.Durable.History;
using AgentFunctions.Storage;
using AgentFunctions.Testing;

namespace AgentFunctions.Durable.AzureStorage.Tests;

/// <summary>Messages sent together share queue messages; each part is still delivered and consumed on its own.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class PackedMessagesTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private async Task<(AzureStorageOrchestrationBackend Backend, StorageAccountClient Account)> StartBackendAsync()
    {
        var account = new StorageAccountClient(azurite.ConnectionString);
        var backend = new AzureStorageOrchestrationBackend(account, TestHubs.Options());
        await backend.CreateIfNotExistsAsync(CancellationToken.None);
        await backend.StartAsync(CancellationToken.None);
        var wait = Stopwatch.StartNew();
        while (!backend.IsProcessing && wait.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }

        Assert.True(backend.IsProcessing, "the backend did not take the task-hub lease");
        return (backend, account);
    }

    /// <summary>A backend with a worker running on it, and a client; disposed in reverse order.</summary>
    private sealed record RunningHub(StorageAccountClient Account, AzureStorageOrchestrationBackend Backend, DurableTaskWorker Worker, DurableTaskClient Client) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Worker.DisposeAsync();
            await Backend.DisposeAsync();
            Account.Dispose();
        }
    }

    private async Task<RunningHub> StartWorkerAsync(DurableTaskRegistry registry, AzureStorageBackendOptions? options = null)
    {
        var account = new StorageAccountClient(azurite.ConnectionString);
        var backend = new AzureStorageOrchestrationBackend(account, options ?? TestHubs.Options());
        var worker = new DurableTaskWorker(backend, registry);
        await worker.StartAsync(CancellationToken.None);
        return new RunningHub(account, backend, worker, new DurableTaskClient(backend, registry));
    }

    private static async Task<string> StartWithActivitiesAsync(AzureStorageOrchestrationBackend backend, int activities, CancellationToken cancellationToken)
    {
        var id = "packed-" + Guid.NewGuid().ToString("N")[..8];
        var state = new OrchestrationState(id, "Fan", "x1", OrchestrationRuntimeStatus.Pending, Now, Now);
        await backend.CreateInstanceAsync(state, new TaskMessage(id, "x1", new ExecutionStartedEvent(Now, "Fan", "x1", null)), cancellationToken);
        var start = await backend.LockNextOrchestrationWorkItemAsync(cancellationToken);
        var scheduled = Enumerable.Range(0, activities).Select(i => new TaskScheduledEvent(i, Now, "Work", i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        await backend.CompleteOrchestrationWorkItemAsync(
            start,
            new OrchestrationCommit(
                [.. start.Messages.Select(m => m.Event), new OrchestratorStartedEvent(Now), .. scheduled],
                state with { RuntimeStatus = OrchestrationRuntimeStatus.Running },
                [.. scheduled.Select(s => new TaskMessage(id, "x1", s))],
                []),
            cancellationToken);
        return id;
    }

    [Fact]
    public async Task AbandonActivityWorkItemAsync_OnePartOfAPackedMessage_OnlyThatCallIsDeliveredAgain()
    {
        var (backend, account) = await StartBackendAsync();
        using var __ = account;
        await using var _ = backend;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var id = await StartWithActivitiesAsync(backend, 3, cts.Token);

        var calls = new List<ActivityWorkItem>();
        for (var i = 0; i < 3; i++)
        {
            calls.Add(await backend.LockNextActivityWorkItemAsync(cts.Token));
        }

        Assert.Single(calls.Select(c => ((HeldPart)c.BackendState!).Held.MessageId).Distinct());
        var abandoned = calls.Single(c => c.Scheduled.EventId == 1);
        foreach (var call in calls.Where(c => c != abandoned))
        {
            await backend.CompleteActivityWorkItemAsync(call, new TaskMessage(id, "x1", new TaskCompletedEvent(Now, call.Scheduled.EventId, "\"ok\"")), cts.Token);
        }

        await backend.AbandonActivityWorkItemAsync(abandoned, cts.Token);
        var again = await backend.LockNextActivityWorkItemAsync(cts.Token);
        await backend.CompleteActivityWorkItemAsync(again, new TaskMessage(id, "x1", new TaskCompletedEvent(Now, again.Scheduled.EventId, "\"ok\"")), cts.Token);

        Assert.Equal(1, again.Scheduled.EventId);
        var results = new List<int>();
        while (results.Count < 3)
        {
            var episode = await backend.LockNextOrchestrationWorkItemAsync(cts.Token);
            results.AddRange(episode.Messages.Select(m => ((TaskCompletedEvent)m.Event).TaskScheduledId));
            await backend.CompleteOrchestrationWorkItemAsync(episode, new OrchestrationCommit([], null, [], []), cts.Token);
        }

        Assert.Equal([0, 1, 2], results.Order());
        var leftover = await account.GetQueueClient(backend.Names.WorkItemQueue).GetPropertiesAsync(cts.Token);
        Assert.Equal(0, leftover.ApproximateMessagesCount);
    }

    [Fact]
    public async Task FanOut_TwoHundredActivities_CostsFewStorageRequestsPerActivity()
    {
        var registry = new DurableTaskRegistry()
            .AddActivityFunc<int, int>("Square", (_, i) => i * i)
            .AddOrchestratorFunc<int, int>("Fan", async (ctx, n) => (await Task.WhenAll(Enumerable.Range(1, n).Select(i => ctx.CallActivityAsync<int>("Square", i)))).Sum());
        await using var hub = await StartWorkerAsync(registry);
        var (account, backend, client) = (hub.Account, hub.Backend, hub.Client);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var before = account.RequestsSent;

        var id = await client.ScheduleNewOrchestrationInstanceAsync("Fan", 200);
        var done = await client.WaitForInstanceCompletionAsync(id, cancellationToken: cts.Token);
        var perActivity = (account.RequestsSent - before) / 200.0;

        Assert.Equal(Enumerable.Range(1, 200).Sum(i => i * i), done.ReadOutputAs<int>());

        // One request per call and one per result would be 4+ (put, get, delete on each side); packed, the
        // calls share work-item messages and results arriving together share control messages.
        Assert.True(perActivity < 2.5, $"{perActivity:N2} storage requests per activity");
    }

    [Fact]
    public async Task GetStateAsync_RunningInstanceOnTheLeaseHolder_IsAnsweredWithoutAStorageRead()
    {
        var registry = new DurableTaskRegistry().AddOrchestratorFunc<string, string>("Wait", (ctx, _) => ctx.WaitForExternalEvent<string>("Go"));
        await using var hub = await StartWorkerAsync(registry);
        var (account, backend, client) = (hub.Account, hub.Backend, hub.Client);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var id = await client.ScheduleNewOrchestrationInstanceAsync("Wait", "x");
        while ((await client.GetInstanceAsync(id, cancellationToken: cts.Token))?.RuntimeStatus != OrchestrationRuntimeStatus.Running)
        {
            await Task.Delay(20, cts.Token);
        }

        var readsBefore = account.RequestsByKind.GetValueOrDefault("Table GET");
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(OrchestrationRuntimeStatus.Running, (await client.GetInstanceAsync(id, cancellationToken: cts.Token))!.RuntimeStatus);
        }

        var readsWhileRunning = account.RequestsByKind.GetValueOrDefault("Table GET") - readsBefore;
        await client.RaiseEventAsync(id, "Go", "done", cts.Token);
        var done = await client.WaitForInstanceCompletionAsync(id, cancellationToken: cts.Token);

        Assert.Equal(0, readsWhileRunning);
        Assert.Equal("done", done.ReadOutputAs<string>());
    }
    [Fact]
    public async Task CompleteActivityWorkItemAsync_OnTheLeaseHolder_HandsTheResultOverAndConsumesTheCallAfterTheCommit()
    {
        var (backend, account) = await StartBackendAsync();
        using var __ = account;
        await using var _ = backend;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var id = await StartWithActivitiesAsync(backend, 1, cts.Token);
        var workItems = account.GetQueueClient(backend.Names.WorkItemQueue);
        var call = await backend.LockNextActivityWorkItemAsync(cts.Token);
        var sendsBefore = account.RequestsByKind.GetValueOrDefault("Queue POST messages");

        await backend.CompleteActivityWorkItemAsync(call, new TaskMessage(id, "x1", new TaskCompletedEvent(Now, 0, "\"ok\"")), cts.Token);
        var episode = await backend.LockNextOrchestrationWorkItemAsync(cts.Token);
        var sendsForResult = account.RequestsByKind.GetValueOrDefault("Queue POST messages") - sendsBefore;
        var callsBeforeCommit = (await workItems.GetPropertiesAsync(cts.Token)).ApproximateMessagesCount;
        await backend.CompleteOrchestrationWorkItemAsync(episode, new OrchestrationCommit([.. episode.Messages.Select(m => m.Event)], null, [], []), cts.Token);
        var callsAfterCommit = (await workItems.GetPropertiesAsync(cts.Token)).ApproximateMessagesCount;

        Assert.Equal(0, ((TaskCompletedEvent)Assert.Single(episode.Messages).Event).TaskScheduledId);
        Assert.Equal(0, sendsForResult);
        Assert.Equal(1, callsBeforeCommit);
        Assert.Equal(0, callsAfterCommit);
    }

    [Fact]
    public async Task StopAsync_WithAResultHandedOverButNotRecorded_NextHostGetsTheResultAndDoesNotRunTheCallAgain()
    {
        var (first, account) = await StartBackendAsync();
        using var __ = account;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string id;
        await using (first)
        {
            id = await StartWithActivitiesAsync(first, 1, cts.Token);
            var call = await first.LockNextActivityWorkItemAsync(cts.Token);
            await first.CompleteActivityWorkItemAsync(call, new TaskMessage(id, "x1", new TaskCompletedEvent(Now, 0, "\"ok\"")), cts.Token);
            await first.StopAsync(cts.Token);
        }

        await using var second = new AzureStorageOrchestrationBackend(account, TestHubs.Options(first.Names.HubName));
        await second.StartAsync(cts.Token);
        var episode = await second.LockNextOrchestrationWorkItemAsync(cts.Token);
        var calls = (await account.GetQueueClient(second.Names.WorkItemQueue).GetPropertiesAsync(cts.Token)).ApproximateMessagesCount;

        Assert.Equal(id, episode.InstanceId);
        Assert.Equal("\"ok\"", ((TaskCompletedEvent)Assert.Single(episode.Messages).Event).Result);
        Assert.Equal(0, calls);
    }
    [Theory]
    [InlineData(5, 2)]
    [InlineData(0, 5)]
    public async Task InstanceRow_EpisodesThatChangeOnlyTheTime_SkipTheRowWriteWithinTheRefreshInterval(int refreshSeconds, int expectedRowWrites)
    {
        var registry = new DurableTaskRegistry()
            .AddActivityFunc<int, int>("Double", (_, i) => i * 2)
            .AddOrchestratorFunc<int, int>("Steps", async (ctx, n) =>
            {
                n = await ctx.CallActivityAsync<int>("Double", n);
                n = await ctx.CallActivityAsync<int>("Double", n);
                ctx.SetCustomStatus("halfway");
                n = await ctx.CallActivityAsync<int>("Double", n);
                return await ctx.CallActivityAsync<int>("Double", n);
            });
        await using var hub = await StartWorkerAsync(registry, TestHubs.Options() with { InstanceRowRefreshInterval = TimeSpan.FromSeconds(refreshSeconds) });
        var (account, backend, client) = (hub.Account, hub.Backend, hub.Client);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var before = account.RequestsByKind.GetValueOrDefault("Table PUT");

        var id = await client.ScheduleNewOrchestrationInstanceAsync("Steps", 1);
        var done = await client.WaitForInstanceCompletionAsync(id, cancellationToken: cts.Token);
        var rowWrites = account.RequestsByKind.GetValueOrDefault("Table PUT") - before;
        var stored = await account.GetTableClient(backend.Names.InstancesTable).GetEntityIfExistsAsync(id, id, cancellationToken: cts.Token);

        Assert.Equal(16, done.ReadOutputAs<int>());

        // Five episodes: Running (written), then three that change only the time or the custom status while an
        // activity call is out (deferred when allowed), then Completed (written, with the custom status).
        Assert.Equal(expectedRowWrites, rowWrites);
        Assert.Equal("Completed", stored!.GetString("RuntimeStatus"));
        Assert.Equal("\"halfway\"", stored.GetString("CustomStatus"));
    }
    [Fact]
    public async Task CreateNewInstanceAsync_OnTheLeaseHolder_StoresTheStartInThePendingRowAndSendsNoMessage()
    {
        var (backend, account) = await StartBackendAsync();
        using var __ = account;
        await using var _ = backend;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var id = "fresh-" + Guid.NewGuid().ToString("N")[..8];
        var state = new OrchestrationState(id, "Fan", "x1", OrchestrationRuntimeStatus.Pending, Now, Now, Input: "\"in\"");
        var rows = account.GetTableClient(backend.Names.InstancesTable);
        var sendsBefore = account.RequestsByKind.GetValueOrDefault("Queue POST messages");

        await backend.CreateNewInstanceAsync(state, new TaskMessage(id, "x1", new ExecutionStartedEvent(Now, "Fan", "x1", "\"in\"")), cts.Token);
        var stored = await rows.GetEntityIfExistsAsync(id, id, cancellationToken: cts.Token);
        var sends = account.RequestsByKind.GetValueOrDefault("Queue POST messages") - sendsBefore;
        var start = await backend.LockNextOrchestrationWorkItemAsync(cts.Token);
        await backend.CompleteOrchestrationWorkItemAsync(
            start,
            new OrchestrationCommit([.. start.Messages.Select(m => m.Event), new OrchestratorStartedEvent(Now)], state with { RuntimeStatus = OrchestrationRuntimeStatus.Running }, [], []),
            cts.Token);
        var afterFirstEpisode = await rows.GetEntityIfExistsAsync(id, id, cancellationToken: cts.Token);

        Assert.Equal("Pending", stored!.GetString("RuntimeStatus"));
        Assert.Equal(true, stored["StartInRow"]);
        Assert.Contains("ExecutionStarted", stored.GetString("StartMessage"), StringComparison.Ordinal);
        Assert.Equal(0, sends);
        Assert.Equal(id, start.InstanceId);
        Assert.Equal("\"in\"", ((ExecutionStartedEvent)Assert.Single(start.Messages).Event).Input);
        Assert.Equal("Running", afterFirstEpisode!.GetString("RuntimeStatus"));
        Assert.False(afterFirstEpisode.ContainsKey("StartInRow"));
        Assert.False(afterFirstEpisode.ContainsKey("StartMessage"));
    }

    [Fact]
    public async Task CreateNewInstanceAsync_HostStopsBeforeTheFirstEpisode_NextLeaseHolderRunsTheStartFromTheRow()
    {
        var (first, account) = await StartBackendAsync();
        using var __ = account;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var id = "orphan-" + Guid.NewGuid().ToString("N")[..8];
        var state = new OrchestrationState(id, "Fan", "x1", OrchestrationRuntimeStatus.Pending, Now, Now, Input: "\"carried\"");
        await using (first)
        {
            await first.CreateNewInstanceAsync(state, new TaskMessage(id, "x1", new ExecutionStartedEvent(Now, "Fan", "x1", "\"carried\"")), cts.Token);

            // Stopped with the start still in memory: no queue message exists for it, only its row.
            await first.StopAsync(cts.Token);
        }

        await using var second = new AzureStorageOrchestrationBackend(account, TestHubs.Options(first.Names.HubName));
        await second.StartAsync(cts.Token);
        var start = await second.LockNextOrchestrationWorkItemAsync(cts.Token);
        var queued = (await account.GetQueueClient(second.Names.ControlQueue).GetPropertiesAsync(cts.Token)).ApproximateMessagesCount;

        Assert.Equal(id, start.InstanceId);
        Assert.Equal(OrchestrationRuntimeStatus.Pending, start.State!.RuntimeStatus);
        Assert.Equal("\"carried\"", ((ExecutionStartedEvent)Assert.Single(start.Messages).Event).Input);
        Assert.Equal(0, queued);
    }

    [Fact]
    public async Task CreateNewInstanceAsync_WithoutTheLease_InsertsTheRowBeforeReturning()
    {
        using var account = new StorageAccountClient(azurite.ConnectionString);
        await using var backend = new AzureStorageOrchestrationBackend(account, TestHubs.Options());
        await backend.CreateIfNotExistsAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var id = "client-" + Guid.NewGuid().ToString("N")[..8];
        var state = new OrchestrationState(id, "Fan", "x1", OrchestrationRuntimeStatus.Pending, Now, Now);

        await backend.CreateNewInstanceAsync(state, new TaskMessage(id, "x1", new ExecutionStartedEvent(Now, "Fan", "x1", null)), cts.Token);
        var stored = await account.GetTableClient(backend.Names.InstancesTable).GetEntityIfExistsAsync(id, id, cancellationToken: cts.Token);

        Assert.False(backend.IsProcessing);
        Assert.Equal("Pending", stored!.GetString("RuntimeStatus"));
    }

    [Fact]
    public async Task InstanceRow_CustomStatusSetBeforeWaitingForAnEvent_IsStoredBeforeTheEvent()
    {
        var registry = new DurableTaskRegistry()
            .AddActivityFunc<int, int>("Double", (_, i) => i * 2)
            .AddOrchestratorFunc<int, string>("StepThenWait", async (ctx, n) =>
            {
                n = await ctx.CallActivityAsync<int>("Double", n);
                ctx.SetCustomStatus($"waiting after {n}");
                return await ctx.WaitForExternalEvent<string>("Go");
            });
        await using var hub = await StartWorkerAsync(registry);
        var (account, backend, client) = (hub.Account, hub.Backend, hub.Client);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var rows = account.GetTableClient(backend.Names.InstancesTable);

        var id = await client.ScheduleNewOrchestrationInstanceAsync("StepThenWait", 21);
        var stored = await rows.GetEntityIfExistsAsync(id, id, cancellationToken: cts.Token);
        while (stored?.GetString("CustomStatus") is null)
        {
            await Task.Delay(20, cts.Token);
            stored = await rows.GetEntityIfExistsAsync(id, id, cancellationToken: cts.Token);
        }

        var listed = await client.QueryInstancesAsync(new InstanceQuery(FetchInputsAndOutputs: true), cts.Token);
        await client.RaiseEventAsync(id, "Go", "went", cts.Token);
        var done = await client.WaitForInstanceCompletionAsync(id, cancellationToken: cts.Token);

        Assert.Equal("\"waiting after 42\"", stored!.GetString("CustomStatus"));
        Assert.Equal("Running", stored.GetString("RuntimeStatus"));
        Assert.Equal("\"waiting after 42\"", Assert.Single(listed.Instances, i => i.InstanceId == id).SerializedCustomStatus);
        Assert.Equal("went", done.ReadOutputAs<string>());
    }
}
