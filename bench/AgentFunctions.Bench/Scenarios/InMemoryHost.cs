using AgentFunctions.Durable;
using AgentFunctions.Durable.InMemory;

namespace AgentFunctions.Bench.Scenarios;

/// <summary>A worker and client on the in-memory backend, real clock.</summary>
public sealed class InMemoryHost : IAsyncDisposable
{
    private InMemoryHost(InMemoryOrchestrationBackend backend, DurableTaskWorker worker, DurableTaskClient client)
    {
        Backend = backend;
        Worker = worker;
        Client = client;
    }

    public InMemoryOrchestrationBackend Backend { get; }

    public DurableTaskWorker Worker { get; }

    public DurableTaskClient Client { get; }

    public static async Task<InMemoryHost> StartAsync(DurableTaskRegistry registry, DurableTaskWorkerOptions? options = null)
    {
        var backend = new InMemoryOrchestrationBackend();
        var worker = new DurableTaskWorker(backend, registry, options: options ?? new DurableTaskWorkerOptions());
        await worker.StartAsync(CancellationToken.None);
        return new InMemoryHost(backend, worker, new DurableTaskClient(backend, registry));
    }

    public async ValueTask DisposeAsync()
    {
        await Worker.StopAsync(CancellationToken.None);
        await Backend.DisposeAsync();
    }
}
