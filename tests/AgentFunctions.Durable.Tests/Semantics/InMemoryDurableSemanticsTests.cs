using AgentFunctions.Durable.Backend;
using AgentFunctions.Durable.InMemory;

namespace AgentFunctions.Durable.Tests.Semantics;

/// <summary>The semantic suite on the in-memory backend with the session cache on (the default).</summary>
public sealed class InMemoryDurableSemanticsTests : DurableSemanticsTests
{
    protected override Task<IOrchestrationBackend> CreateBackendAsync(TimeProvider time) =>
        Task.FromResult<IOrchestrationBackend>(new InMemoryOrchestrationBackend(time));
}

/// <summary>
/// The same suite with the cache off: every episode is a cold replay from stored history, which proves that
/// cached and replayed execution agree.
/// </summary>
public sealed class InMemoryColdReplaySemanticsTests : DurableSemanticsTests
{
    protected override DurableTaskWorkerOptions WorkerOptions => base.WorkerOptions with { MaxCachedOrchestrations = 0 };

    protected override Task<IOrchestrationBackend> CreateBackendAsync(TimeProvider time) =>
        Task.FromResult<IOrchestrationBackend>(new InMemoryOrchestrationBackend(time));
}
