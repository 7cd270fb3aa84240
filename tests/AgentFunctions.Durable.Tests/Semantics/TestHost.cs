using AgentFunctions.Durable.Backend;
using AgentFunctions.Durable.Testing;

namespace AgentFunctions.Durable.Tests.Semantics;

/// <summary>A worker and a client over one backend, with a manual clock; disposed after each test.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private TestHost(IOrchestrationBackend backend, ManualTimeProvider time, DurableTaskRegistry registry, DurableTaskWorker worker, TimeSpan waitLimit)
    {
        WaitLimit = waitLimit;
        Backend = backend;
        Time = time;
        Registry = registry;
        Worker = worker;
        Client = new DurableTaskClient(backend, registry, timeProvider: time);
    }

    /// <summary>How long a test waits for the runtime before it fails (bounds every wait).</summary>
    public TimeSpan WaitLimit { get; }

    public IOrchestrationBackend Backend { get; }

    public ManualTimeProvider Time { get; }

    public DurableTaskRegistry Registry { get; }

    public DurableTaskWorker Worker { get; }

    public DurableTaskClient Client { get; }

    public static async Task<TestHost> StartAsync(
        Func<TimeProvider, Task<IOrchestrationBackend>> createBackend,
        Action<DurableTaskRegistry> register,
        DurableTaskWorkerOptions options,
        TimeSpan waitLimit)
    {
        var time = new ManualTimeProvider();
        var backend = await createBackend(time);
        var registry = new DurableTaskRegistry();
        register(registry);
        var worker = new DurableTaskWorker(backend, registry, options: options, timeProvider: time);
        await worker.StartAsync(CancellationToken.None);
        return new TestHost(backend, time, registry, worker, waitLimit);
    }

    public async Task<OrchestrationMetadata> RunAsync(string orchestrator, object? input = null, string? instanceId = null)
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(orchestrator, input, new StartOrchestrationOptions(instanceId));
        return await WaitForCompletionAsync(id);
    }

    public async Task<OrchestrationMetadata> WaitForCompletionAsync(string instanceId)
    {
        using var cts = new CancellationTokenSource(WaitLimit);
        return await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, cts.Token);
    }

    /// <summary>Waits until the instance reports <paramref name="customStatus"/> (orchestrators mark their waits).</summary>
    public async Task WaitForCustomStatusAsync(string instanceId, string customStatus)
    {
        using var cts = new CancellationTokenSource(WaitLimit);
        var expected = Client.Converter.Serialize(customStatus);
        await Client.WaitForAsync(instanceId, false, s => s.CustomStatus == expected || s.RuntimeStatus.IsTerminal(), cts.Token);
    }

    public async Task WaitForStatusAsync(string instanceId, OrchestrationRuntimeStatus status)
    {
        using var cts = new CancellationTokenSource(WaitLimit);
        await Client.WaitForAsync(instanceId, false, s => s.RuntimeStatus == status, cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await Worker.StopAsync(CancellationToken.None);
        await Backend.DisposeAsync();
    }
}
