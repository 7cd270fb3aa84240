using System.Net;
using AgentFunctions.Testing;

namespace AgentFunctions.Host.Tests;

/// <summary>The research pipeline end to end on the Azure Storage task hub (Azurite), across host restarts.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class AzureStorageHostTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Research_ApprovedByWebhook_CompletesApprovedWithCitedReport()
    {
        await using var host = await AzuriteHost.StartAsync(azurite.ConnectionString, AzuriteHost.NewHubName("e2e"));
        var id = await HostApi.StartAsync(host.Client, requireApproval: true);
        await HostApi.WaitForPhaseAsync(host.Client, id, "AwaitingApproval");

        using var delivered = await HostApi.DeliverAsync(host.Client, id, new { decision = "approve", reviewer = "ada", comment = "good" });
        var status = await HostApi.WaitForStatusAsync(host.Client, id, "Completed");

        Assert.Equal(HttpStatusCode.Accepted, delivered.StatusCode);
        var output = status["output"]!.AsObject();
        Assert.Equal("Approved", output["outcome"]!.GetValue<string>());
        Assert.Equal("ada", output["review"]!["reviewer"]!.GetValue<string>());
        Assert.NotEmpty(output["report"]!["citations"]!.AsArray());
    }

    [Fact]
    public async Task Research_HostKilledAfterSubmission_NewHostCarriesTheRunOn()
    {
        var hub = AzuriteHost.NewHubName("restart");
        string id;
        await using (var first = await AzuriteHost.StartAsync(azurite.ConnectionString, hub))
        {
            id = await HostApi.StartAsync(first.Client, requireApproval: true, question: "How do durable timers survive restarts?");

            // Dispose kills the process tree without a clean stop: nothing is flushed or released on the way out.
        }

        await using var second = await AzuriteHost.StartAsync(azurite.ConnectionString, hub);

        // The killed host's task-hub lease (15 s, Azure's minimum) must lapse before the new host works the hub.
        await AzuriteHost.WaitUntilAsync(
            async () => await HostApi.StatusAsync(second.Client, id) is { } s && HostApi.Phase(s) == "AwaitingApproval",
            TimeSpan.FromSeconds(45),
            () => $"run {id} did not reach AwaitingApproval on the new host. Its output:\n{second.Output}");
        using var delivered = await HostApi.DeliverAsync(second.Client, id, new { decision = "approve", reviewer = "grace" });
        var status = await HostApi.WaitForStatusAsync(second.Client, id, "Completed");

        Assert.Equal(HttpStatusCode.Accepted, delivered.StatusCode);
        Assert.Equal("Approved", status["output"]!["outcome"]!.GetValue<string>());
        Assert.Equal("How do durable timers survive restarts?", status["output"]!["question"]!.GetValue<string>());
    }
}
