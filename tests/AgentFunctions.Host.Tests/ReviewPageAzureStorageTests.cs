using System.Net;
using System.Net.Http.Json;
using AgentFunctions.Testing;

namespace AgentFunctions.Host.Tests;

/// <summary>The runs page on the Azure Storage task hub (Azurite), whose instance table lists runs by id, not by age.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class ReviewPageAzureStorageTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task RunsPage_RunsCreatedOutOfIdOrder_ListsNewestCreatedFirst()
    {
        await using var host = await AzuriteHost.StartAsync(azurite.ConnectionString, AzuriteHost.NewHubName("pages"));

        // Created "mm", then "zz", then "aa": newest first is aa, zz, mm, which is neither id order nor its reverse.
        var suffix = Guid.NewGuid().ToString("N")[..12];
        string[] created = [$"mm{suffix}", $"zz{suffix}", $"aa{suffix}"];
        foreach (var id in created)
        {
            using var response = await host.Client.PostAsJsonAsync(
                new Uri($"{HostApi.Management}/orchestrators/ResearchOrchestrator/{id}", UriKind.Relative), new { question = $"Ordering {id}?", requireApproval = true });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            await HostApi.WaitForAsync(host.Client, id, s => s["runtimeStatus"]!.GetValue<string>() != "Pending", "started");
        }

        var html = await host.Client.GetStringAsync(new Uri("/", UriKind.Relative));

        var listed = created.Select(id => (Id: id, At: html.IndexOf($">{id}</a>", StringComparison.Ordinal))).ToList();
        Assert.All(listed, l => Assert.True(l.At >= 0, $"{l.Id} is listed"));
        Assert.Equal(created.Reverse(), listed.OrderBy(l => l.At).Select(l => l.Id));
    }
}
