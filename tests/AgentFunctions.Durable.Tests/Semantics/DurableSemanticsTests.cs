using Microsoft.Extensions.Logging;
using System.Collections.Concurrent;
using AgentFunctions.Durable.Backend;
using AgentFunctions.Durable.History;

namespace AgentFunctions.Durable.Tests.Semantics;

/// <summary>
/// The runtime's semantics, written against the backend contract only: every backend runs this suite
/// unchanged by deriving from it and saying how to create itself.
/// </summary>
public abstract class DurableSemanticsTests
{
    protected abstract Task<IOrchestrationBackend> CreateBackendAsync(TimeProvider time);

    protected virtual DurableTaskWorkerOptions WorkerOptions => new() { MaxConcurrentOrchestrations = 4, MaxConcurrentActivities = 8 };

    /// <summary>Bound on every wait; a storage-backed suite on a loaded machine needs more than memory does.</summary>
    protected virtual TimeSpan WaitLimit => TimeSpan.FromSeconds(30);

    private Task<TestHost> StartAsync(Action<DurableTaskRegistry> register, DurableTaskWorkerOptions? options = null) =>
        TestHost.StartAsync(CreateBackendAsync, register, options ?? WorkerOptions, WaitLimit);

    private static void RegisterHello(DurableTaskRegistry r) => r
        .AddActivityFunc<string, string>("SayHello", (_, name) => $"Hello, {name}!")
        .AddOrchestrator<HelloSequence>();

    [Fact]
    public async Task CallActivityAsync_Sequence_CompletesWithResultsInOrder()
    {
        await using var host = await StartAsync(RegisterHello);

        var result = await host.RunAsync(nameof(HelloSequence), "cities");

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(["Hello, Tokyo!", "Hello, Seattle!", "Hello, London!"], result.ReadOutputAs<string[]>()!);
    }

    [Fact]
    public async Task GetOrchestrationHistoryAsync_CompletedRun_RecordsEachStepOnce()
    {
        await using var host = await StartAsync(RegisterHello);
        var result = await host.RunAsync(nameof(HelloSequence), "cities");

        var history = await host.Client.GetOrchestrationHistoryAsync(result.InstanceId);

        Assert.IsType<ExecutionStartedEvent>(history.First(e => e is not OrchestratorStartedEvent));
        Assert.Equal([0, 1, 2], history.OfType<TaskScheduledEvent>().Select(e => e.EventId));
        Assert.Equal([0, 1, 2], history.OfType<TaskCompletedEvent>().Select(e => e.TaskScheduledId));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, Assert.IsType<ExecutionCompletedEvent>(history[^1]).Status);
    }

    [Fact]
    public async Task CallActivityAsync_FanOutThousand_FanInSumsEveryResult()
    {
        await using var host = await StartAsync(r => r
            .AddActivityFunc<int, int>("Square", (_, x) => x * x)
            .AddOrchestratorFunc<int, long>("FanOut", async (ctx, n) =>
            {
                var tasks = Enumerable.Range(1, n).Select(i => ctx.CallActivityAsync<int>("Square", i));
                var results = await Task.WhenAll(tasks);
                return results.Sum(x => (long)x);
            }));

        var result = await host.RunAsync("FanOut", 1000);

        Assert.Equal(Enumerable.Range(1, 1000).Sum(i => (long)i * i), result.ReadOutputAs<long>());
    }

    [Fact]
    public async Task CallActivityAsync_ActivityThrows_OrchestratorSeesFailureDetails()
    {
        await using var host = await StartAsync(r => r
            .AddActivityFunc<string, string>("Explode", (_, _) => Throw<string>(new InvalidOperationException("kaboom")))
            .AddOrchestratorFunc<string, string>("Catcher", async (ctx, _) =>
            {
                try
                {
                    await ctx.CallActivityAsync<string>("Explode", "x");
                    return "no error";
                }
                catch (TaskFailedException ex)
                {
                    return $"{ex.TaskName}|{ex.FailureDetails.ErrorType}|{ex.FailureDetails.ErrorMessage}";
                }
            }));

        var result = await host.RunAsync("Catcher");

        Assert.Equal("Explode|System.InvalidOperationException|kaboom", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Orchestrator_Throws_InstanceFailsWithDetails()
    {
        await using var host = await StartAsync(r => r
            .AddOrchestratorFunc<string, string>("Thrower", (_, _) => throw new ArgumentException("bad question")));

        var result = await host.RunAsync("Thrower");

        Assert.Equal(OrchestrationRuntimeStatus.Failed, result.RuntimeStatus);
        Assert.Equal(typeof(ArgumentException).FullName, result.FailureDetails!.ErrorType);
        Assert.Equal("bad question", result.FailureDetails.ErrorMessage);
    }

    [Fact]
    public async Task CallActivityAsync_RetryPolicy_SucceedsAfterTransientFailures()
    {
        var attempts = 0;
        await using var host = await StartAsync(r => r
            .AddActivityFunc<string, string>("Flaky", (_, _) => Interlocked.Increment(ref attempts) < 3 ? Throw<string>(new TimeoutException("slow")) : "ok")
            .AddOrchestratorFunc<string, string>("Retrying", (ctx, _) =>
                ctx.CallActivityAsync<string>("Flaky", null, TaskOptions.FromRetryPolicy(new RetryPolicy(5, TimeSpan.FromSeconds(10), 2.0)))));

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Retrying");
        await AdvanceUntilCompleteAsync(host, id, TimeSpan.FromSeconds(10));
        var result = await host.WaitForCompletionAsync(id);

        Assert.Equal("ok", result.ReadOutputAs<string>());
        Assert.Equal(3, attempts);
        var timers = (await host.Client.GetOrchestrationHistoryAsync(id)).OfType<TimerCreatedEvent>().ToList();
        Assert.Equal(2, timers.Count);
        Assert.Equal(TimeSpan.FromSeconds(10), timers[0].FireAt - timers[0].Timestamp);
        Assert.Equal(TimeSpan.FromSeconds(20), timers[1].FireAt - timers[1].Timestamp);
    }

    [Fact]
    public async Task CallActivityAsync_RetriesExhausted_FailsAfterMaxAttempts()
    {
        var attempts = 0;
        await using var host = await StartAsync(r => r
            .AddActivityFunc<string, string>("AlwaysFails", (_, _) => Throw<string>(new TimeoutException($"attempt {Interlocked.Increment(ref attempts)}")))
            .AddOrchestratorFunc<string, string>("Exhausting", (ctx, _) =>
                ctx.CallActivityAsync<string>("AlwaysFails", null, TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromMinutes(1))))));

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Exhausting");
        await AdvanceUntilCompleteAsync(host, id, TimeSpan.FromMinutes(1));
        var result = await host.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, result.RuntimeStatus);
        Assert.Equal(3, attempts);
        Assert.Equal(typeof(TaskFailedException).FullName, result.FailureDetails!.ErrorType);
        Assert.Equal("attempt 3", result.FailureDetails.InnerFailure!.ErrorMessage);
    }

    [Fact]
    public async Task RetryPolicy_NonRetryableOrFilteredFailure_IsNotRetried()
    {
        var attempts = new ConcurrentDictionary<string, int>();
        await using var host = await StartAsync(r => r
            .AddActivityFunc<string, string>("Fails", (_, kind) =>
            {
                attempts.AddOrUpdate(kind, 1, (_, n) => n + 1);
                return Throw<string>(kind == "permanent" ? new NonRetryableException("contract broken") : new FormatException("filtered"));
            })
            .AddOrchestratorFunc<string, string>("Picky", async (ctx, kind) =>
            {
                var policy = new RetryPolicy(5, TimeSpan.FromSeconds(1)) { HandleFailure = f => !f.IsCausedBy<FormatException>() };
                try
                {
                    return await ctx.CallActivityAsync<string>("Fails", kind, TaskOptions.FromRetryPolicy(policy));
                }
                catch (TaskFailedException ex)
                {
                    return ex.FailureDetails.ErrorMessage;
                }
            }));

        var permanent = await host.RunAsync("Picky", "permanent");
        var filtered = await host.RunAsync("Picky", "format");

        Assert.Equal("contract broken", permanent.ReadOutputAs<string>());
        Assert.Equal("filtered", filtered.ReadOutputAs<string>());
        Assert.Equal(1, attempts["permanent"]);
        Assert.Equal(1, attempts["format"]);
    }

    [Fact]
    public async Task WaitForExternalEvent_WithTimeout_TimerWins()
    {
        await using var host = await StartAsync(RegisterApproval);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Approval", 60);
        await host.WaitForCustomStatusAsync(id, "waiting");

        host.Time.Advance(TimeSpan.FromMinutes(61));
        var result = await host.WaitForCompletionAsync(id);

        Assert.Equal("timed out", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task WaitForExternalEvent_WithTimeout_EventWinsAndTimerIsCancelled()
    {
        await using var host = await StartAsync(RegisterApproval);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Approval", 60);
        await host.WaitForCustomStatusAsync(id, "waiting");

        await host.Client.RaiseEventAsync(id, "Decision", "approved");
        var result = await host.WaitForCompletionAsync(id);

        Assert.Equal("approved", result.ReadOutputAs<string>());
        host.Time.Advance(TimeSpan.FromHours(2)); // The losing timer fires into a finished instance: ignored.
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await host.Client.GetInstanceAsync(id))!.RuntimeStatus);
    }

    [Fact]
    public async Task WaitForExternalEvent_EventArrivesBeforeWait_IsBuffered()
    {
        await using var host = await StartAsync(r => r
            .AddActivityFunc<string, string>("Echo", (_, s) => s)
            .AddOrchestratorFunc<string, string>("LateWaiter", async (ctx, _) =>
            {
                ctx.SetCustomStatus("working");
                await ctx.CreateTimer(TimeSpan.FromMinutes(5), CancellationToken.None);
                var first = await ctx.WaitForExternalEvent<string>("Signal");
                var second = await ctx.WaitForExternalEvent<string>("signal"); // names are case-insensitive
                return $"{first},{second}";
            }));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("LateWaiter");
        await host.WaitForCustomStatusAsync(id, "working");

        await host.Client.RaiseEventAsync(id, "Signal", "one");
        await host.Client.RaiseEventAsync(id, "SIGNAL", "two");
        await WaitForHistoryAsync(host, id, h => h.OfType<EventRaisedEvent>().Count() == 2);
        host.Time.Advance(TimeSpan.FromMinutes(5));
        var result = await host.WaitForCompletionAsync(id);

        Assert.Equal("one,two", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task RaiseEventAsync_BeforeDelayedStart_IsKeptUntilTheInstanceStarts()
    {
        await using var host = await StartAsync(RegisterApproval);
        var startAt = host.Time.GetUtcNow().AddHours(1);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Approval", 600, new StartOrchestrationOptions(StartAt: startAt));

        await host.Client.RaiseEventAsync(id, "Decision", "early bird");
        await Task.Delay(100);
        Assert.Equal(OrchestrationRuntimeStatus.Pending, (await host.Client.GetInstanceAsync(id))!.RuntimeStatus);
        host.Time.Advance(TimeSpan.FromHours(1));
        var result = await host.WaitForCompletionAsync(id);

        Assert.Equal("early bird", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task CreateTimer_Cancelled_InstanceCompletesWithoutWaiting()
    {
        await using var host = await StartAsync(r => r
            .AddOrchestratorFunc<string, string>("CancelTimer", async (ctx, _) =>
            {
                using var cts = new CancellationTokenSource();
                var timer = ctx.CreateTimer(TimeSpan.FromDays(7), cts.Token);
#pragma warning disable CA1849 // Orchestrators cancel synchronously (see CreateTimer's docs).
                cts.Cancel();
#pragma warning restore CA1849
                try
                {
                    await timer;
                    return "fired";
                }
                catch (TaskCanceledException)
                {
                    return "cancelled";
                }
            }));

        var result = await host.RunAsync("CancelTimer");

        Assert.Equal("cancelled", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task CreateTimer_Fires_AtDurableTimeFromHistory()
    {
        await using var host = await StartAsync(r => r
            .AddOrchestratorFunc<string, string>("Sleeper", async (ctx, _) =>
            {
                var before = ctx.CurrentUtcDateTime;
                ctx.SetCustomStatus("sleeping");
                await ctx.CreateTimer(before.AddHours(3), CancellationToken.None);
                return (ctx.CurrentUtcDateTime - before).ToString();
            }));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Sleeper");
        await host.WaitForCustomStatusAsync(id, "sleeping");

        host.Time.Advance(TimeSpan.FromHours(2));
        await Task.Delay(50);
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await host.Client.GetInstanceAsync(id))!.RuntimeStatus);
        host.Time.Advance(TimeSpan.FromHours(1));
        var result = await host.WaitForCompletionAsync(id);

        Assert.Equal("03:00:00", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task TerminateInstanceAsync_WhileWaiting_TerminatesWithReason()
    {
        await using var host = await StartAsync(RegisterApproval);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Approval", 60);
        await host.WaitForCustomStatusAsync(id, "waiting");

        await host.Client.TerminateInstanceAsync(id, "operator stop");
        var result = await host.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Terminated, result.RuntimeStatus);
        Assert.Equal("operator stop", result.ReadOutputAs<string>());
        await Assert.ThrowsAsync<InstanceFinishedException>(() => host.Client.RaiseEventAsync(id, "Decision", "late"));
    }

    [Fact]
    public async Task SuspendInstanceAsync_ThenResume_HoldsEventsUntilResumed()
    {
        await using var host = await StartAsync(RegisterApproval);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Approval", 60);
        await host.WaitForCustomStatusAsync(id, "waiting");

        await host.Client.SuspendInstanceAsync(id, "maintenance");
        await host.WaitForStatusAsync(id, OrchestrationRuntimeStatus.Suspended);
        await host.Client.RaiseEventAsync(id, "Decision", "approved while suspended");
        await WaitForHistoryAsync(host, id, h => h.OfType<EventRaisedEvent>().Any());
        Assert.Equal(OrchestrationRuntimeStatus.Suspended, (await host.Client.GetInstanceAsync(id))!.RuntimeStatus);

        await host.Client.ResumeInstanceAsync(id, "done");
        var result = await host.WaitForCompletionAsync(id);

        Assert.Equal("approved while suspended", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task ContinueAsNew_Counter_RestartsWithNewInputAndFreshHistory()
    {
        await using var host = await StartAsync(r => r
            .AddActivityFunc<int, int>("Increment", (_, x) => x + 1)
            .AddOrchestratorFunc<int, int>("Counter", async (ctx, n) =>
            {
                var next = await ctx.CallActivityAsync<int>("Increment", n);
                if (next < 5)
                {
                    ctx.ContinueAsNew(next);
                }

                return next;
            }));

        var result = await host.RunAsync("Counter", 0);
        var history = await host.Client.GetOrchestrationHistoryAsync(result.InstanceId);

        Assert.Equal(5, result.ReadOutputAs<int>());
        Assert.Single(history.OfType<TaskScheduledEvent>());
        Assert.Equal("4", Assert.Single(history.OfType<ExecutionStartedEvent>()).Input);
    }

    [Fact]
    public async Task ContinueAsNew_PreserveUnprocessedEvents_CarriesBufferedEvent()
    {
        await using var host = await StartAsync(r => r
            .AddOrchestratorFunc<int, string>("Carrier", async (ctx, generation) =>
            {
                if (generation == 0)
                {
                    ctx.SetCustomStatus("gen0");
                    await ctx.CreateTimer(TimeSpan.FromMinutes(1), CancellationToken.None);
                    ctx.ContinueAsNew(1, preserveUnprocessedEvents: true);
                    return "restarting";
                }

                return await ctx.WaitForExternalEvent<string>("Note");
            }));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Carrier", 0);
        await host.WaitForCustomStatusAsync(id, "gen0");
        await host.Client.RaiseEventAsync(id, "Note", "kept");
        await WaitForHistoryAsync(host, id, h => h.OfType<EventRaisedEvent>().Any());

        host.Time.Advance(TimeSpan.FromMinutes(1));
        var result = await host.WaitForCompletionAsync(id);

        Assert.Equal("kept", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task CallSubOrchestratorAsync_ChildCompletes_ParentGetsOutput()
    {
        await using var host = await StartAsync(r =>
        {
            RegisterHello(r);
            r.AddOrchestratorFunc<string, int>("Parent", async (ctx, _) =>
            {
                var a = ctx.CallSubOrchestratorAsync<string[]>(nameof(HelloSequence), "a");
                var b = ctx.CallSubOrchestratorAsync<string[]>(nameof(HelloSequence), "b", new SubOrchestrationOptions("child-b"));
                var results = await Task.WhenAll(a, b);
                return results.Sum(x => x.Length);
            });
        });

        var result = await host.RunAsync("Parent", instanceId: "parent-1");

        Assert.Equal(6, result.ReadOutputAs<int>());
        var child = await host.Client.GetInstanceAsync("child-b");
        Assert.Equal(OrchestrationRuntimeStatus.Completed, child!.RuntimeStatus);
        Assert.Equal("parent-1", child.State.ParentInstanceId);
        Assert.NotNull(await host.Client.GetInstanceAsync("parent-1:0000"));
    }

    [Fact]
    public async Task CallSubOrchestratorAsync_ChildFails_ParentSeesChildFailureDetails()
    {
        await using var host = await StartAsync(r => r
            .AddActivityFunc<string, string>("Explode", (_, _) => Throw<string>(new InvalidDataException("corrupt source")))
            .AddOrchestratorFunc<string, string>("Child", (ctx, _) => ctx.CallActivityAsync<string>("Explode"))
            .AddOrchestratorFunc<string, string>("Parent", async (ctx, _) =>
            {
                try
                {
                    return await ctx.CallSubOrchestratorAsync<string>("Child");
                }
                catch (TaskFailedException ex)
                {
                    return $"{ex.TaskName}: {ex.FailureDetails.ErrorType} <- {ex.FailureDetails.InnerFailure?.ErrorType}: {ex.FailureDetails.InnerFailure?.ErrorMessage}";
                }
            }));

        var result = await host.RunAsync("Parent");

        Assert.Equal(
            $"Child: {typeof(TaskFailedException).FullName} <- {typeof(InvalidDataException).FullName}: corrupt source",
            result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task SetCustomStatus_OverCap_ThrowsNamingSizeAndKeepsPreviousStatus()
    {
        await using var host = await StartAsync(r => r
            .AddOrchestratorFunc<string, string>("Chatty", (ctx, _) =>
            {
                ctx.SetCustomStatus(new { phase = "Planning" });
                try
                {
                    ctx.SetCustomStatus(new string('x', 20_000));
                    return Task.FromResult("accepted");
                }
                catch (ArgumentException ex)
                {
                    return Task.FromResult(ex.Message);
                }
            }));

        var result = await host.RunAsync("Chatty");

        Assert.Contains("Chatty", result.ReadOutputAs<string>(), StringComparison.Ordinal);
        Assert.Contains("limit is 16384 bytes", result.ReadOutputAs<string>(), StringComparison.Ordinal);
        Assert.Equal("{\"phase\":\"Planning\"}", result.SerializedCustomStatus);
    }

    [Fact]
    public async Task NewGuid_AcrossReplays_IsStable()
    {
        await using var host = await StartAsync(r => r
            .AddActivityFunc<string, string>("Echo", (_, s) => s)
            .AddOrchestratorFunc<string, string>("Guids", async (ctx, _) =>
            {
                var first = ctx.NewGuid();
                var echoed = await ctx.CallActivityAsync<string>("Echo", first.ToString());
                var second = ctx.NewGuid();
                return echoed == first.ToString() && first != second ? "stable" : $"unstable {first} {echoed}";
            }));

        var result = await host.RunAsync("Guids");

        Assert.Equal("stable", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task ScheduleNewOrchestrationInstanceAsync_RunningIdReused_ThrowsAndKeepsOriginal()
    {
        await using var host = await StartAsync(RegisterApproval);
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Approval", 60, new StartOrchestrationOptions("dup"));
        await host.WaitForCustomStatusAsync("dup", "waiting");

        var error = await Assert.ThrowsAsync<InstanceAlreadyExistsException>(() =>
            host.Client.ScheduleNewOrchestrationInstanceAsync("Approval", 5, new StartOrchestrationOptions("dup")));

        Assert.Contains("'dup'", error.Message, StringComparison.Ordinal);
        var state = await host.Client.GetInstanceAsync("dup", getInputsAndOutputs: true);
        Assert.Equal("60", state!.SerializedInput);
    }

    [Fact]
    public async Task ScheduleNewOrchestrationInstanceAsync_FinishedIdReused_StartsAfresh()
    {
        await using var host = await StartAsync(RegisterHello);
        await host.RunAsync(nameof(HelloSequence), "first", "reused");

        var second = await host.RunAsync(nameof(HelloSequence), "second", "reused");

        Assert.Equal("\"second\"", second.SerializedInput);
        Assert.Single((await host.Client.GetOrchestrationHistoryAsync("reused")).OfType<ExecutionStartedEvent>());
    }

    [Fact]
    public async Task ScheduleNewOrchestrationInstanceAsync_BadInput_ThrowsNamingTheProblemAndStoresNothing()
    {
        await using var host = await StartAsync(RegisterHello);

        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => host.Client.ScheduleNewOrchestrationInstanceAsync("NoSuchOrchestrator"));
        var cyclic = new Node();
        cyclic.Next = cyclic;
        var unserializable = await Assert.ThrowsAsync<ArgumentException>(() => host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(HelloSequence), cyclic));
        var badId = await Assert.ThrowsAsync<ArgumentException>(() => host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(HelloSequence), "x", new StartOrchestrationOptions("a/b")));

        Assert.Contains("NoSuchOrchestrator", unknown.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(HelloSequence), unserializable.Message, StringComparison.Ordinal);
        Assert.Contains("'a/b'", badId.Message, StringComparison.Ordinal);
        Assert.Empty((await host.Client.QueryInstancesAsync(new InstanceQuery())).Instances);
    }

    [Fact]
    public async Task RaiseEventAsync_UnknownInstance_ThrowsNamingIt()
    {
        await using var host = await StartAsync(RegisterHello);

        var error = await Assert.ThrowsAsync<InstanceNotFoundException>(() => host.Client.RaiseEventAsync("ghost", "Decision", "approve"));

        Assert.Contains("'ghost'", error.Message, StringComparison.Ordinal);
        Assert.Null(await host.Client.GetInstanceAsync("ghost"));
    }

    [Fact]
    public async Task RaiseEventAsync_FinishedInstance_ThrowsAndRecordsNothing()
    {
        await using var host = await StartAsync(RegisterHello);
        var done = await host.RunAsync(nameof(HelloSequence), "x");
        var before = (await host.Client.GetOrchestrationHistoryAsync(done.InstanceId)).Count;

        var error = await Assert.ThrowsAsync<InstanceFinishedException>(() => host.Client.RaiseEventAsync(done.InstanceId, "Decision"));

        Assert.Contains("Decision", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, (await host.Client.GetOrchestrationHistoryAsync(done.InstanceId)).Count);
    }

    [Fact]
    public async Task CallActivityAsync_UnknownActivity_FailsWithNameWithoutScheduling()
    {
        await using var host = await StartAsync(r => r
            .AddOrchestratorFunc<string, string>("CallsMissing", (ctx, _) => ctx.CallActivityAsync<string>("DoesNotExist")));

        var result = await host.RunAsync("CallsMissing");

        Assert.Equal(OrchestrationRuntimeStatus.Failed, result.RuntimeStatus);
        Assert.Contains("DoesNotExist", result.FailureDetails!.ToString(), StringComparison.Ordinal);
        Assert.Empty((await host.Client.GetOrchestrationHistoryAsync(result.InstanceId)).OfType<TaskScheduledEvent>());
    }

    [Fact]
    public async Task QueryInstancesAsync_StatusPrefixAndPaging_ReturnsEachMatchOnce()
    {
        await using var host = await StartAsync(r =>
        {
            RegisterHello(r);
            RegisterApproval(r);
        });
        for (var i = 0; i < 7; i++)
        {
            await host.RunAsync(nameof(HelloSequence), "x", $"batch-{i}");
        }

        await host.Client.ScheduleNewOrchestrationInstanceAsync("Approval", 60, new StartOrchestrationOptions("batch-waiting"));
        await host.WaitForCustomStatusAsync("batch-waiting", "waiting");
        await host.RunAsync(nameof(HelloSequence), "x", "other-1");

        var seen = new List<string>();
        var query = new InstanceQuery([OrchestrationRuntimeStatus.Completed], InstanceIdPrefix: "batch-", PageSize: 3);
        string? token;
        var pages = 0;
        do
        {
            (var page, token) = await host.Client.QueryInstancesAsync(query);
            seen.AddRange(page.Select(p => p.InstanceId));
            query = query with { ContinuationToken = token };
            pages++;
        }
        while (token is not null);

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"batch-{i}").Order(), seen.Order());
        Assert.Equal(3, pages);
        var running = await host.Client.QueryInstancesAsync(new InstanceQuery([OrchestrationRuntimeStatus.Running]));
        Assert.Equal("batch-waiting", Assert.Single(running.Instances).InstanceId);
        var future = await host.Client.QueryInstancesAsync(new InstanceQuery(CreatedFrom: host.Time.GetUtcNow().AddMinutes(1)));
        Assert.Empty(future.Instances);
    }

    [Fact]
    public async Task PurgeInstanceAsync_Finished_RemovesEverything_RunningIsRefused()
    {
        await using var host = await StartAsync(r =>
        {
            RegisterHello(r);
            RegisterApproval(r);
        });
        var done = await host.RunAsync(nameof(HelloSequence), "x");
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Approval", 60, new StartOrchestrationOptions("live"));
        await host.WaitForCustomStatusAsync("live", "waiting");

        var purged = await host.Client.PurgeInstanceAsync(done.InstanceId);
        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => host.Client.PurgeInstanceAsync("live"));

        Assert.Equal(1, purged.PurgedInstanceCount);
        Assert.Null(await host.Client.GetInstanceAsync(done.InstanceId));
        Assert.Contains("Running", refusal.Message, StringComparison.Ordinal);
        Assert.NotNull(await host.Client.GetInstanceAsync("live"));
    }

    [Fact]
    public async Task CompleteActivity_DuplicateDelivery_ResultRecordedOnce()
    {
        await using var host = await StartAsync(r => r
            .AddActivityFunc<string, string>("Echo", (_, s) => s)
            .AddOrchestratorFunc<string, string>("Once", async (ctx, _) =>
            {
                var first = await ctx.CallActivityAsync<string>("Echo", "original");
                ctx.SetCustomStatus("waiting");
                var go = await ctx.WaitForExternalEvent<string>("Go");
                return $"{first}/{go}";
            }));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Once");
        await host.WaitForCustomStatusAsync(id, "waiting");
        var executionId = (await host.Client.GetInstanceAsync(id))!.State.ExecutionId;

        // An at-least-once redelivery of step 0's result, as after a crash between running and recording it.
        await host.Backend.SendMessageAsync(new TaskMessage(id, executionId, new TaskCompletedEvent(host.Time.GetUtcNow(), 0, "\"duplicate\"")), CancellationToken.None);
        await host.Client.RaiseEventAsync(id, "Go", "go");
        var result = await host.WaitForCompletionAsync(id);

        Assert.Equal("original/go", result.ReadOutputAs<string>());
        Assert.Single((await host.Client.GetOrchestrationHistoryAsync(id)).OfType<TaskCompletedEvent>());
    }

    [Fact]
    public async Task ReplaySafeLogger_LogsEachStepOnceDespiteReplays()
    {
        var provider = new CountingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(provider));
        var time = new Testing.ManualTimeProvider();
        var backend = await CreateBackendAsync(time);
        var registry = new DurableTaskRegistry()
            .AddActivityFunc<int, int>("Id", (_, x) => x)
            .AddOrchestratorFunc<int, int>("Logged", async (ctx, n) =>
            {
                var log = ctx.CreateReplaySafeLogger("Logged");
                for (var i = 0; i < n; i++)
                {
                    log.LogInformation("step {Step}", i);
                    await ctx.CallActivityAsync<int>("Id", i);
                }

                return n;
            });
        var options = WorkerOptions with { MaxCachedOrchestrations = 0 };
        var worker = new DurableTaskWorker(backend, registry, options: options, timeProvider: time, loggerFactory: factory);
        await worker.StartAsync(CancellationToken.None);
        try
        {
            var client = new DurableTaskClient(backend, registry, timeProvider: time);
            var id = await client.ScheduleNewOrchestrationInstanceAsync("Logged", 4);
            using var cts = new CancellationTokenSource(WaitLimit);
            await client.WaitForInstanceCompletionAsync(id, cancellationToken: cts.Token);
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
            await backend.DisposeAsync();
        }

        Assert.Equal(["step 0", "step 1", "step 2", "step 3"], provider.Messages.Where(m => m.StartsWith("step", StringComparison.Ordinal)));
    }

    private static void RegisterApproval(DurableTaskRegistry r) => r
        .AddOrchestratorFunc<int, string>("Approval", async (ctx, minutes) =>
        {
            ctx.SetCustomStatus("waiting");
            try
            {
                return await ctx.WaitForExternalEvent<string>("Decision", TimeSpan.FromMinutes(minutes));
            }
            catch (TaskCanceledException)
            {
                return "timed out";
            }
        });

    /// <summary>Advances the clock in steps until the instance finishes (retry timers need one step each).</summary>
    private static async Task AdvanceUntilCompleteAsync(TestHost host, string id, TimeSpan step)
    {
        using var cts = new CancellationTokenSource(host.WaitLimit);
        while (true)
        {
            var state = await host.Client.GetInstanceAsync(id);
            if (state!.IsCompleted)
            {
                return;
            }

            host.Time.Advance(step);
            await host.Backend.WaitForStateChangeAsync(id, TimeSpan.FromMilliseconds(20), cts.Token);
        }
    }

    private static async Task WaitForHistoryAsync(TestHost host, string id, Func<IReadOnlyList<HistoryEvent>, bool> condition)
    {
        using var cts = new CancellationTokenSource(host.WaitLimit);
        while (!condition(await host.Client.GetOrchestrationHistoryAsync(id)))
        {
            await host.Backend.WaitForStateChangeAsync(id, TimeSpan.FromMilliseconds(20), cts.Token);
        }
    }

    private static T Throw<T>(Exception exception) => throw exception;

    private sealed class Node
    {
        public Node? Next { get; set; }
    }
}

/// <summary>The classic Durable Functions sample: three activity calls in sequence.</summary>
public sealed class HelloSequence : TaskOrchestrator<string, string[]>
{
    public override async Task<string[]> RunAsync(TaskOrchestrationContext context, string input) =>
    [
        await context.CallActivityAsync<string>("SayHello", "Tokyo"),
        await context.CallActivityAsync<string>("SayHello", "Seattle"),
        await context.CallActivityAsync<string>("SayHello", "London"),
    ];
}
