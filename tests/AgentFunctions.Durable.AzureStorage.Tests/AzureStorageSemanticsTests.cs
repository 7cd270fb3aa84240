using AgentFunctions.Durable.Backend;
using AgentFunctions.Durable.Tests.Semantics;
using AgentFunctions.Storage;
using AgentFunctions.Testing;

namespace AgentFunctions.Durable.AzureStorage.Tests;

/// <summary>The runtime's semantic suite, unchanged, on the Azure Storage backend against Azurite.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class AzureStorageSemanticsTests(AzuriteFixture azurite) : DurableSemanticsTests
{
    protected override TimeSpan WaitLimit => TimeSpan.FromMinutes(3);

    protected override Task<IOrchestrationBackend> CreateBackendAsync(TimeProvider time) =>
        Task.FromResult<IOrchestrationBackend>(AzureStorageOrchestrationBackend.Create(azurite.ConnectionString, TestHubs.Options(), time));
}

/// <summary>The same suite with the session cache off: every episode replays history read from Azure tables.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class AzureStorageColdReplaySemanticsTests(AzuriteFixture azurite) : DurableSemanticsTests
{
    protected override TimeSpan WaitLimit => TimeSpan.FromMinutes(3);

    protected override DurableTaskWorkerOptions WorkerOptions => base.WorkerOptions with { MaxCachedOrchestrations = 0 };

    protected override Task<IOrchestrationBackend> CreateBackendAsync(TimeProvider time) =>
        Task.FromResult<IOrchestrationBackend>(AzureStorageOrchestrationBackend.Create(azurite.ConnectionString, TestHubs.Options(), time));
}

/// <summary>
/// The suite under the tightest limits: one activity call and one buffered control message at a time (new
/// instances wait to be let in, further messages wait in the queue), one task message per queue message, one send
/// at a time.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class AzureStorageThrottledSemanticsTests(AzuriteFixture azurite) : DurableSemanticsTests
{
    protected override TimeSpan WaitLimit => TimeSpan.FromMinutes(3);

    protected override Task<IOrchestrationBackend> CreateBackendAsync(TimeProvider time) =>
        Task.FromResult<IOrchestrationBackend>(AzureStorageOrchestrationBackend.Create(
            azurite.ConnectionString,
            TestHubs.Options() with { ActivityPrefetch = 1, ControlQueueBufferThreshold = 1, MaxMessagesPerQueueMessage = 1, MaxConcurrentSendsPerQueue = 1 },
            time));
}
