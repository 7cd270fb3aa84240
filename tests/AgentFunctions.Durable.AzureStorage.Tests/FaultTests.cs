using System.Diagnostics;
using AgentFunctions.Durable.History;
using AgentFunctions.FaultHost;
using AgentFunctions.Testing;
using Xunit.Abstractions;

namespace AgentFunctions.Durable.AzureStorage.Tests;

/// <summary>
/// Crash safety with real processes: the worker is killed with SIGKILL mid fan-out, and Azurite itself is
/// stopped mid-run. Each test runs its own Azurite with disk persistence, so the data outlives the process.
/// </summary>
public sealed class FaultTests(ITestOutputHelper output)
{
    private const int Activities = 100;
    private static readonly long ExpectedSum = Enumerable.Range(1, Activities).Sum(i => (long)i * i);

    [Fact]
    public async Task Worker_KilledMidFanOut_RestartCompletesWithEachResultRecordedOnce()
    {
        await using var azurite = await AzuriteInstance.StartNewAsync(inMemory: false, allowExternal: false);
        var hub = TestHubs.NewName();
        await using var backend = AzureStorageOrchestrationBackend.Create(azurite.ConnectionString, new AzureStorageBackendOptions { TaskHubName = hub });
        await backend.CreateIfNotExistsAsync(CancellationToken.None);
        var client = new DurableTaskClient(backend);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var first = await WorkerProcess.StartAsync(azurite.ConnectionString, hub);
        var id = await client.ScheduleNewOrchestrationInstanceAsync(FaultOrchestrations.FanOut, Activities);
        await WaitForCompletedActivitiesAsync(client, id, atLeast: 20, timeout.Token);
        await first.KillAsync();
        var before = await CompletedActivitiesAsync(client, id);
        output.WriteLine($"killed with {before} of {Activities} results recorded");

        var restarted = Stopwatch.StartNew();
        await using var second = await WorkerProcess.StartAsync(azurite.ConnectionString, hub);
        await WaitForCompletedActivitiesAsync(client, id, atLeast: before + 1, timeout.Token);
        output.WriteLine($"first progress {restarted.Elapsed.TotalSeconds:N1} s after restart");
        var result = await client.WaitForInstanceCompletionAsync(id, cancellationToken: timeout.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(ExpectedSum, result.ReadOutputAs<long>());
        var history = await client.GetOrchestrationHistoryAsync(id, timeout.Token);
        var completions = history.OfType<TaskCompletedEvent>().Select(e => e.TaskScheduledId).ToList();
        Assert.Equal(Activities, completions.Count);
        Assert.Equal(Activities, completions.Distinct().Count());
        Assert.Equal(Activities, history.OfType<TaskScheduledEvent>().Count());
    }

    [Fact]
    public async Task Azurite_StoppedForTenSecondsMidRun_RunCompletesWithNothingLost()
    {
        await using var azurite = await AzuriteInstance.StartNewAsync(inMemory: false, allowExternal: false);
        var hub = TestHubs.NewName();
        await using var backend = AzureStorageOrchestrationBackend.Create(azurite.ConnectionString, new AzureStorageBackendOptions { TaskHubName = hub, MaxPollingInterval = TimeSpan.FromMilliseconds(200) });
        await using var worker = new DurableTaskWorker(backend, FaultOrchestrations.Registry(), options: new DurableTaskWorkerOptions { MaxConcurrentActivities = 4 });
        await worker.StartAsync(CancellationToken.None);
        var client = new DurableTaskClient(backend);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var id = await client.ScheduleNewOrchestrationInstanceAsync(FaultOrchestrations.FanOut, Activities);
        await WaitForCompletedActivitiesAsync(client, id, atLeast: 20, timeout.Token);
        await azurite.StopAsync(graceful: true);
        await Task.Delay(TimeSpan.FromSeconds(10));
        await azurite.StartAsync();
        var result = await client.WaitForInstanceCompletionAsync(id, cancellationToken: timeout.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(ExpectedSum, result.ReadOutputAs<long>());
        var completions = (await client.GetOrchestrationHistoryAsync(id, timeout.Token)).OfType<TaskCompletedEvent>().ToList();
        Assert.Equal(Activities, completions.Select(e => e.TaskScheduledId).Distinct().Count());
        Assert.Equal(Activities, completions.Count);
    }

    private static async Task<int> CompletedActivitiesAsync(DurableTaskClient client, string id)
    {
        var history = await client.GetOrchestrationHistoryAsync(id);
        return history.OfType<TaskCompletedEvent>().Count();
    }

    private static async Task WaitForCompletedActivitiesAsync(DurableTaskClient client, string id, int atLeast, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var state = await client.GetInstanceAsync(id, cancellationToken: cancellationToken);
            if (state is not null && (await CompletedActivitiesAsync(client, id) >= atLeast || state.IsCompleted))
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
