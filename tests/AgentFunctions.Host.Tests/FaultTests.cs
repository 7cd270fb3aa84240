using System.Net;
using System.Text.Json.Nodes;
using AgentFunctions.Testing;

namespace AgentFunctions.Host.Tests;

/// <summary>
/// The real engine under faults, with real processes: the host killed (SIGKILL) mid fan-out and mid approval wait,
/// storage gone for ten seconds, two hosts on one hub. Each run must finish with every activity result recorded
/// once and no review decision lost.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class FaultTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Research_HostKilledDuringValidationFanOut_NewHostCompletesWithEachResultOnce()
    {
        var hub = AzuriteHost.NewHubName("killfan");
        string id;
        await using (var first = await AzuriteHost.StartAsync(azurite.ConnectionString, hub))
        {
            id = await HostApi.StartAsync(first.Client, requireApproval: false, question: "How do durable timers and retries work?");
            await WaitForAsync(first.Client, id, s => HostApi.Phase(s) is "Validating" or "Synthesizing", "the validation fan-out", first);

            // Dispose kills the process tree: no clean stop, no lease released, activities in flight abandoned.
        }

        await using var second = await AzuriteHost.StartAsync(azurite.ConnectionString, hub);
        var status = await WaitForAsync(second.Client, id, s => s["runtimeStatus"]?.GetValue<string>() == "Completed", "Completed on the new host", second);

        Assert.Equal("NotReviewed", status["output"]!["outcome"]!.GetValue<string>());
        await AssertEachResultRecordedOnceAsync(second.Client, id, expectValidations: true);
    }

    [Fact]
    public async Task Research_HostKilledWhileAwaitingApproval_DecisionAfterRestartCompletesTheRun()
    {
        var hub = AzuriteHost.NewHubName("killwait");
        string id;
        await using (var first = await AzuriteHost.StartAsync(azurite.ConnectionString, hub))
        {
            id = await HostApi.StartAsync(first.Client, requireApproval: true);
            await HostApi.WaitForPhaseAsync(first.Client, id, "AwaitingApproval");
        }

        await using var second = await AzuriteHost.StartAsync(azurite.ConnectionString, hub);
        using var delivered = await HostApi.DeliverAsync(second.Client, id, new { decision = "approve", reviewer = "lin", comment = "after the crash" });
        var status = await WaitForAsync(second.Client, id, s => s["runtimeStatus"]?.GetValue<string>() == "Completed", "Completed after the decision", second);

        Assert.Equal(HttpStatusCode.Accepted, delivered.StatusCode);
        Assert.Equal("Approved", status["output"]!["outcome"]!.GetValue<string>());
        Assert.Equal("lin", status["output"]!["review"]!["reviewer"]!.GetValue<string>());
        await AssertEachResultRecordedOnceAsync(second.Client, id, expectValidations: true);
    }

    [Fact]
    public async Task Research_StorageStoppedTenSecondsMidRun_RunCompletes()
    {
        // Its own Azurite on disk, so stopping the process loses nothing.
        await using var storage = await AzuriteInstance.StartNewAsync(inMemory: false);
        await using var host = await AzuriteHost.StartAsync(storage.ConnectionString, AzuriteHost.NewHubName("outage"));
        var id = await HostApi.StartAsync(host.Client, requireApproval: false);
        await WaitForAsync(host.Client, id, s => HostApi.Phase(s) is not null and not "Planning", "past planning", host);

        // Stopped, not crashed: Azurite's disk mode saves its tables every few seconds, so a SIGKILL would lose the
        // last writes of the storage itself, which no Azure Storage account does.
        await storage.StopAsync(graceful: true);
        await Task.Delay(TimeSpan.FromSeconds(10));
        await storage.StartAsync();

        var status = await WaitForAsync(host.Client, id, s => s["runtimeStatus"]?.GetValue<string>() == "Completed", "Completed after the outage", host);
        Assert.Equal("NotReviewed", status["output"]!["outcome"]!.GetValue<string>());
        await AssertEachResultRecordedOnceAsync(host.Client, id, expectValidations: true);
    }

    [Fact]
    public async Task Research_TwoHostsOnOneHub_EachRunProcessedOnce()
    {
        var hub = AzuriteHost.NewHubName("twohosts");
        await using var first = await AzuriteHost.StartAsync(azurite.ConnectionString, hub);
        await using var second = await AzuriteHost.StartAsync(azurite.ConnectionString, hub);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await HostApi.StartAsync((i % 2 == 0 ? first : second).Client, requireApproval: false, question: $"What is durable orchestration, part {i}?"));
        }

        foreach (var id in ids)
        {
            var status = await WaitForAsync(second.Client, id, s => s["runtimeStatus"]?.GetValue<string>() == "Completed", "Completed", second);
            Assert.Equal("NotReviewed", status["output"]!["outcome"]!.GetValue<string>());
            await AssertEachResultRecordedOnceAsync(first.Client, id, expectValidations: true);
        }
    }

    /// <summary>
    /// Every scheduled activity has its result in the history and the run used each once: after a crash an activity
    /// may run again and the provider may append its second completion to the history, but replay matches results to
    /// tasks by id, so the second is ignored — the run's sources and usage count each task once.
    /// </summary>
    private static async Task AssertEachResultRecordedOnceAsync(HttpClient client, string id, bool expectValidations)
    {
        var status = await HostApi.StatusAsync(client, id, showHistory: true);
        var events = status!["historyEvents"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var scheduled = events.Where(e => Type(e) == "TaskScheduled").ToList();
        var results = events.Where(e => Type(e) is "TaskCompleted" or "TaskFailed").Select(e => e["TaskScheduledId"]!.GetValue<int>()).ToList();

        Assert.Single(events, e => Type(e) == "ExecutionStarted");
        Assert.Single(events, e => Type(e) == "ExecutionCompleted");
        Assert.Equal(scheduled.Select(e => e["EventId"]!.GetValue<int>()).Order(), results.Distinct().Order());
        Assert.Equal(scheduled.Count, scheduled.Select(e => e["EventId"]!.GetValue<int>()).Distinct().Count());
        var output = status["output"]!.AsObject();
        var sources = output["sources"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(sources.Count, sources.Distinct().Count());
        Assert.Equal(scheduled.Count(e => e["FunctionName"]!.GetValue<string>() == "ValidateSourceActivity"), sources.Count);
        if (expectValidations)
        {
            Assert.Contains(scheduled, e => e["FunctionName"]!.GetValue<string>() == "ValidateSourceActivity");
        }

        static string? Type(JsonObject e) => e["EventType"]?.GetValue<string>();
    }

    private static async Task<JsonObject> WaitForAsync(HttpClient client, string id, Func<JsonObject, bool> condition, string what, HostProcess host)
    {
        JsonObject? last = null;
        await AzuriteHost.WaitUntilAsync(
            async () => (last = await HostApi.StatusAsync(client, id)) is { } s && condition(s),
            RecoveryLimit,
            () => $"run {id} did not reach {what}; last status: {last?.ToJsonString()}\nhost output:\n{host.Output}");
        return last!;
    }
}
