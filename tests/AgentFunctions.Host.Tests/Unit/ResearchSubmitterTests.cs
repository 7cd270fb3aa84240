using System.Security.Cryptography;
using System.Text.Json;
using AgentFunctions.Durable;
using AgentFunctions.Durable.InMemory;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Research;
using AgentFunctions.Research.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Host.Tests.Unit;

public sealed class ResearchSubmitterTests
{
    private static readonly ResearchRequest Request = new("Was the first start lost?");

    [Fact]
    public async Task SubmitAsync_KeyClaimedButInstanceNeverCreated_StartsThatInstanceOnce()
    {
        // The first submission claimed the key, then storage failed before the instance was created and the
        // release failed too: the key maps to an instance that does not exist.
        var (submitter, client, store) = Create();
        await store.ClaimAsync("key", Hash(client, Request), "lost", TimeSpan.FromHours(1), CancellationToken.None);

        var retry = await submitter.SubmitAsync(Request, "key", CancellationToken.None);
        var again = await submitter.SubmitAsync(Request, "key", CancellationToken.None);

        Assert.Equal(new SubmitResult("lost", KeyConflict: false), retry);
        Assert.Equal(retry, again);
        Assert.NotNull(await client.GetInstanceAsync("lost"));
        var claim = await store.ClaimAsync("key", Hash(client, Request), "other", TimeSpan.FromHours(1), CancellationToken.None);
        Assert.True(claim.IsStarted);
    }

    [Fact]
    public async Task SubmitAsync_NewKey_MarksTheClaimStarted()
    {
        var (submitter, client, store) = Create();

        var result = await submitter.SubmitAsync(Request, "key", CancellationToken.None);

        var claim = await store.ClaimAsync("key", Hash(client, Request), "other", TimeSpan.FromHours(1), CancellationToken.None);
        Assert.Equal(result.InstanceId, claim.InstanceId);
        Assert.True(claim.IsStarted);
    }

    private static (ResearchSubmitter Submitter, DurableTaskClient Client, IIdempotencyStore Store) Create()
    {
        var client = new DurableTaskClient(new InMemoryOrchestrationBackend());
        var store = new InMemoryIdempotencyStore(TimeProvider.System);
        var settings = HostSettings.Load(new ConfigurationBuilder().Build());
        return (new ResearchSubmitter(client, store, settings, NullLogger<ResearchSubmitter>.Instance), client, store);
    }

    // As the submitter hashes a request: its serialized form, so a re-serialized retry matches.
    private static string Hash(DurableTaskClient client, ResearchRequest request) =>
        Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, client.Converter.Options)));
}
