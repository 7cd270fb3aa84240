using AgentFunctions.Durable.History;
using AgentFunctions.Durable.InMemory;
using AgentFunctions.Durable.Testing;

namespace AgentFunctions.Durable.Tests.Replay;

public sealed class NonDeterminismTests
{
    private static DurableTaskRegistry Version(string firstActivity) => new DurableTaskRegistry()
        .AddActivityFunc<string, string>("Search", (_, q) => $"found {q}")
        .AddActivityFunc<string, string>("Validate", (_, q) => $"valid {q}")
        .AddOrchestratorFunc<string, string>("Pipeline", async (ctx, q) =>
        {
            var first = await ctx.CallActivityAsync<string>(firstActivity, q);
            ctx.SetCustomStatus("waiting");
            var decision = await ctx.WaitForExternalEvent<string>("Decision");
            return $"{first}/{decision}";
        });

    [Fact]
    public async Task Replay_ActivityRenamedInFlight_FailsNamingTheStep()
    {
        // Arrange: a run of version 1 waits for a decision after calling Search.
        var time = new ManualTimeProvider();
        await using var backend = new InMemoryOrchestrationBackend(time);
        var v1 = Version("Search");
        var worker = new DurableTaskWorker(backend, v1, options: new() { MaxCachedOrchestrations = 0 }, timeProvider: time);
        await worker.StartAsync(CancellationToken.None);
        var client = new DurableTaskClient(backend, v1, timeProvider: time);
        var id = await client.ScheduleNewOrchestrationInstanceAsync("Pipeline", "q");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.WaitForAsync(id, false, s => s.CustomStatus == "\"waiting\"", cts.Token);
        await worker.StopAsync(CancellationToken.None);

        // Act: version 2, which calls Validate first, is deployed and the decision arrives.
        var v2 = Version("Validate");
        var worker2 = new DurableTaskWorker(backend, v2, options: new() { MaxCachedOrchestrations = 0 }, timeProvider: time);
        await worker2.StartAsync(CancellationToken.None);
        await client.RaiseEventAsync(id, "Decision", "approve");
        var result = await client.WaitForInstanceCompletionAsync(id, cancellationToken: cts.Token);
        await worker2.StopAsync(CancellationToken.None);

        // Assert
        Assert.Equal(OrchestrationRuntimeStatus.Failed, result.RuntimeStatus);
        Assert.Equal(typeof(NonDeterministicOrchestrationException).FullName, result.FailureDetails!.ErrorType);
        Assert.Contains("history step 0 is activity 'Search'", result.FailureDetails.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("now schedules activity 'Validate'", result.FailureDetails.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_StepRemovedFromCode_FailsSayingNothingIsScheduled()
    {
        var history = new List<HistoryEvent>
        {
            new OrchestratorStartedEvent(DateTimeOffset.UnixEpoch),
            new ExecutionStartedEvent(DateTimeOffset.UnixEpoch, "Shrunk", "e1", "\"q\""),
            new TaskScheduledEvent(0, DateTimeOffset.UnixEpoch, "Search", "\"q\""),
        };
        var registry = new DurableTaskRegistry()
            .AddOrchestratorFunc<string, string>("Shrunk", (ctx, _) => ctx.WaitForExternalEvent<string>("Decision"));

        var result = HistoryReplayer.Replay(history, registry);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, result.Status);
        Assert.Contains("history step 0 is activity 'Search'", result.Failure!.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("no longer schedules anything", result.Failure.ErrorMessage, StringComparison.Ordinal);
    }
}
