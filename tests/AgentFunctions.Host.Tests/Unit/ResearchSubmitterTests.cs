using System.Security.Cryptography;
using System.Text.Json;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Research;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace AgentFunctions.Host.Tests.Unit;

public sealed class ResearchSubmitterTests
{
    private static readonly ResearchRequest Request = new("Was the first start lost?");

    [Fact]
    public async Task SubmitAsync_KeyClaimedButInstanceNeverCreated_StartsThatInstanceOnce()
    {
        // The first submission claimed the key, then storage failed before the instance was created and the
        // release failed too: the key maps to an instance that does not exist.
        var (submitter, client, started, store) = Create();
        await store.ClaimAsync("key", Hash(Request), "lost", TimeSpan.FromHours(1), CancellationToken.None);

        var retry = await submitter.SubmitAsync(Request, "key", CancellationToken.None);
        var again = await submitter.SubmitAsync(Request, "key", CancellationToken.None);

        Assert.Equal(new SubmitResult("lost", KeyConflict: false), retry);
        Assert.Equal(retry, again);
        Assert.Equal(["lost"], started);
        var claim = await store.ClaimAsync("key", Hash(Request), "other", TimeSpan.FromHours(1), CancellationToken.None);
        Assert.True(claim.IsStarted);
    }

    [Fact]
    public async Task SubmitAsync_NewKey_MarksTheClaimStarted()
    {
        var (submitter, _, started, store) = Create();

        var result = await submitter.SubmitAsync(Request, "key", CancellationToken.None);

        var claim = await store.ClaimAsync("key", Hash(Request), "other", TimeSpan.FromHours(1), CancellationToken.None);
        Assert.Equal(result.InstanceId, claim.InstanceId);
        Assert.True(claim.IsStarted);
        Assert.Equal([result.InstanceId], started);
    }

    [Fact]
    public async Task SubmitAsync_NoKey_StartsTheResearchOrchestratorWithTheRequest()
    {
        var (submitter, client, started, _) = Create();

        var result = await submitter.SubmitAsync(Request, idempotencyKey: null, CancellationToken.None);

        Assert.Equal([result.InstanceId], started);
        client.Verify(c => c.ScheduleNewOrchestrationInstanceAsync(
            It.Is<TaskName>(n => n.Name == nameof(ResearchOrchestrator)), Request, It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()));
    }

    private static (ResearchSubmitter Submitter, Mock<DurableTaskClient> Client, List<string> Started, IIdempotencyStore Store) Create()
    {
        var started = new List<string>();
        var client = new Mock<DurableTaskClient>("test");
        client.Setup(c => c.ScheduleNewOrchestrationInstanceAsync(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((TaskName _, object? _, StartOrchestrationOptions? options, CancellationToken _) =>
            {
                var id = options?.InstanceId ?? Guid.NewGuid().ToString("N");
                started.Add(id);
                return id;
            });
        client.Setup(c => c.GetInstancesAsync(It.IsAny<string>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string id, bool _, CancellationToken _) =>
                started.Contains(id) ? new OrchestrationMetadata(nameof(ResearchOrchestrator), id) { RuntimeStatus = OrchestrationRuntimeStatus.Running } : null);
        var store = new InMemoryIdempotencyStore(TimeProvider.System);
        var settings = HostSettings.Load(new ConfigurationBuilder().Build());
        return (new ResearchSubmitter(client.Object, store, settings, NullLogger<ResearchSubmitter>.Instance), client, started, store);
    }

    // As the submitter hashes a request: its serialized form, so a re-serialized retry matches.
    private static string Hash(ResearchRequest request) =>
        Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, ResearchJson.Options)));
}
