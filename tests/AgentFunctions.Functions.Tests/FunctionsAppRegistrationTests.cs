using System.Text;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Research.Contracts;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentFunctions.Functions.Tests;

public sealed class FunctionsAppRegistrationTests
{
    [Fact]
    public void AddAgentFunctionsServices_WorkerSerializer_WritesResearchJsonForm()
    {
        using var services = FunctionServices.Build();
        var serializer = services.GetRequiredService<IOptions<WorkerOptions>>().Value.Serializer!;

        var json = Encoding.UTF8.GetString(serializer.Serialize(new ReviewDecision(ReviewDecision.Approve, "ana", null, DateTimeOffset.UnixEpoch)).ToArray());
        var phase = Encoding.UTF8.GetString(serializer.Serialize(ResearchPhase.AwaitingApproval).ToArray());

        // The extension derives the worker's and the client's data converter from this serializer, so the task hub
        // holds the camelCase, enum-by-name form the local host writes.
        Assert.Contains("\"decision\":\"approve\"", json, StringComparison.Ordinal);
        Assert.Equal("\"AwaitingApproval\"", phase);
    }

    [Fact]
    public void AddAgentFunctionsServices_InvalidSetting_ThrowsNamingTheKey()
    {
        var ex = Assert.Throws<HostConfigurationException>(() => FunctionServices.Build(new Dictionary<string, string?> { ["AgentFunctions:Review:LinkTtl"] = "soon" }));

        Assert.Contains("AgentFunctions:Review:LinkTtl", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("app.azurewebsites.net", "https://app.azurewebsites.net/")]
    [InlineData("localhost:7071", "http://localhost:7071/")]
    public void WithPublicBaseUrl_WebsiteHostName_BecomesTheLinkBase(string hostName, string expected)
    {
        using var services = FunctionServices.Build(new Dictionary<string, string?> { ["WEBSITE_HOSTNAME"] = hostName });

        Assert.Equal(new Uri(expected), services.GetRequiredService<HostSettings>().Review.PublicBaseUrl);
    }

    [Fact]
    public void WithPublicBaseUrl_ConfiguredUrl_Wins()
    {
        using var services = FunctionServices.Build(new Dictionary<string, string?>
        {
            ["WEBSITE_HOSTNAME"] = "app.azurewebsites.net",
            ["AgentFunctions:Review:PublicBaseUrl"] = "https://review.example.test/",
        });

        Assert.Equal(new Uri("https://review.example.test/"), services.GetRequiredService<HostSettings>().Review.PublicBaseUrl);
    }
}
