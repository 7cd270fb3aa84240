using System.Net;
using System.Text.Json.Nodes;
using AgentFunctions.Testing;

namespace AgentFunctions.Host.Tests;

/// <summary>
/// Idempotency-Keys and webhook delivery ids outlive the host process on the Azure Storage backend: the first
/// host is killed (no clean stop) and a second one on the same Azurite task hub must still recognise them.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class DurableKeysRestartTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Submit_SameIdempotencyKeyAfterHostRestart_ReturnsSameInstanceAndStartsNoOther()
    {
        var hub = AzuriteHost.NewHubName("idem");
        var key = $"order/{Guid.NewGuid():N}#1";
        var request = new { question = "Does an Idempotency-Key survive a restart?", requireApproval = true };
        string firstId;
        await using (var first = await AzuriteHost.StartAsync(azurite.ConnectionString, hub))
        {
            var (response, body) = await HostApi.SubmitAsync(first.Client, request, key);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            firstId = body["id"]!.GetValue<string>();
        }

        await using var second = await AzuriteHost.StartAsync(azurite.ConnectionString, hub);
        var (repeat, repeatBody) = await HostApi.SubmitAsync(second.Client, request, key);
        var (conflict, _) = await HostApi.SubmitAsync(second.Client, new { question = "A different question?" }, key);

        Assert.Equal(HttpStatusCode.Accepted, repeat.StatusCode);
        Assert.Equal(firstId, repeatBody["id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, conflict.StatusCode);
        Assert.Equal([firstId], await InstanceIdsAsync(second.Client));
    }

    [Fact]
    public async Task Deliver_SameDeliveryIdAfterHostRestart_AnswersAsFirstAndRaisesNothing()
    {
        var hub = AzuriteHost.NewHubName("delivery");
        var delivery = $"delivery/{Guid.NewGuid():N}?";
        var decision = new { decision = "approve", reviewer = "ada" };
        string id;
        string firstBody;
        await using (var first = await AzuriteHost.StartAsync(azurite.ConnectionString, hub))
        {
            id = await HostApi.StartAsync(first.Client, requireApproval: true);
            await HostApi.WaitForPhaseAsync(first.Client, id, "AwaitingApproval");
            using var accepted = await HostApi.DeliverAsync(first.Client, id, decision, delivery);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            firstBody = await accepted.Content.ReadAsStringAsync();

            // Finished before the restart: without the delivery log a replay would be answered 410.
            await HostApi.WaitForStatusAsync(first.Client, id, "Completed");
        }

        await using var second = await AzuriteHost.StartAsync(azurite.ConnectionString, hub);
        using var replay = await HostApi.DeliverAsync(second.Client, id, decision, delivery);
        using var fresh = await HostApi.DeliverAsync(second.Client, id, decision);

        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal(firstBody, await replay.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Gone, fresh.StatusCode);
        Assert.Equal(1, await HostApi.CountEventsRaisedAsync(second.Client, id));
    }

    private static async Task<string[]> InstanceIdsAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri($"{HostApi.Management}/instances?top=1000", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var instances = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        return [.. instances.Select(i => i!["instanceId"]!.GetValue<string>())];
    }
}
