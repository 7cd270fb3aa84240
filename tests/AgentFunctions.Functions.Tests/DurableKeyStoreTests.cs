using AgentFunctions.Host.Approvals;
using AgentFunctions.Host.Research;
using AgentFunctions.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Functions.Tests;

/// <summary>
/// The app's idempotency keys and webhook deliveries live in AzureWebJobsStorage, so two worker instances (two
/// providers built from the app's registration, sharing only the storage account and the hub) see each other's.
/// </summary>
public sealed class DurableKeyStoreTests : IDisposable
{
    private static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    // One hub for both instances, as every worker of one app has.
    private readonly Dictionary<string, string?> _hub = new() { [FunctionServices.HubNameKey] = SharedAzurite.UniqueHubName("Keys") };
    private readonly ServiceProvider _first;
    private readonly ServiceProvider _second;

    public DurableKeyStoreTests()
    {
        _first = FunctionServices.Build(_hub);
        _second = FunctionServices.Build(_hub);
    }

    [Fact]
    public void AddAgentFunctionsServices_AzureWebJobsStorage_ResolvesTableStores()
    {
        Assert.IsType<TableIdempotencyStore>(_first.GetRequiredService<IIdempotencyStore>());
        Assert.IsType<TableDeliveryLog>(_first.GetRequiredService<IDeliveryLog>());
        Assert.Equal($"{_hub[FunctionServices.HubNameKey]}Idempotency", _first.GetRequiredService<TableIdempotencyStore>().Table.Name);
        Assert.Equal($"{_hub[FunctionServices.HubNameKey]}Deliveries", _first.GetRequiredService<TableDeliveryLog>().Table.Name);
    }

    [Fact]
    public async Task ClaimAsync_KeyClaimedOnAnotherInstance_AnswersThatInstancesRun()
    {
        var first = await _first.GetRequiredService<IIdempotencyStore>().ClaimAsync("order-7", "hash-a", "run-first", Retention, CancellationToken.None);
        await _first.GetRequiredService<IIdempotencyStore>().MarkStartedAsync("order-7", "run-first", CancellationToken.None);

        var second = await _second.GetRequiredService<IIdempotencyStore>().ClaimAsync("order-7", "hash-a", "run-second", Retention, CancellationToken.None);

        Assert.True(first.IsNew);
        Assert.Equal(new IdempotencyClaim("run-first", "hash-a", IsNew: false, IsStarted: true), second);
    }

    [Fact]
    public async Task RunOnceAsync_DeliveryAcceptedOnAnotherInstance_ReplaysItsOutcomeWithoutRunning()
    {
        var accepted = new DeliveryOutcome(202, "application/json", """{"decision":"approve"}""");
        await _first.GetRequiredService<IDeliveryLog>().RunOnceAsync("delivery-9", _ => Task.FromResult(accepted), CancellationToken.None);
        var ranAgain = false;

        var replayed = await _second.GetRequiredService<IDeliveryLog>().RunOnceAsync(
            "delivery-9",
            _ =>
            {
                ranAgain = true;
                return Task.FromResult(new DeliveryOutcome(409, "application/json", "{}"));
            },
            CancellationToken.None);

        Assert.False(ranAgain);
        Assert.Equal(accepted, replayed);
    }

    [Fact]
    public async Task TryClaimDecisionAsync_RoundDecidedOnAnotherInstance_ReturnsFalse()
    {
        Assert.True(await _first.GetRequiredService<IDeliveryLog>().TryClaimDecisionAsync("run-1", "round-1", CancellationToken.None));

        Assert.False(await _second.GetRequiredService<IDeliveryLog>().TryClaimDecisionAsync("run-1", "round-1", CancellationToken.None));
    }

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }
}
