using AgentFunctions.Functions.Functions;
using AgentFunctions.Host.Review;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace AgentFunctions.Functions.Tests;

public sealed class ReviewPageFunctionsTests : IDisposable
{
    private const string InstanceId = "run-9";
    private readonly ServiceProvider _services = FunctionServices.Build();
    private readonly Mock<DurableTaskClient> _client = new("test");

    public ReviewPageFunctionsTests() =>
        _client.Setup(c => c.GetInstanceAsync(InstanceId, true, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new OrchestrationMetadata("ResearchOrchestrator", InstanceId)
            {
                RuntimeStatus = OrchestrationRuntimeStatus.Running,
                CreatedAt = DateTimeOffset.UtcNow,
                SerializedInput = """{"question": "How do durable timers work?"}""",
                SerializedCustomStatus = """{"phase": "AwaitingApproval", "draft": {"title": "Durable timers", "summary": "They persist.", "citations": []}, "sources": []}""",
            });

    [Fact]
    public async Task ReviewPage_SignedLink_Answers200WithTheDraft()
    {
        var token = _services.GetRequiredService<ReviewLinkSigner>().Sign(LinkPurpose.View, InstanceId);
        var request = HttpCalls.Get($"/review/{InstanceId}", $"?token={Uri.EscapeDataString(token)}");

        var response = await HttpCalls.ExecuteAsync(request, await Pages().ReviewPageAsync(request, InstanceId, _client.Object, CancellationToken.None));

        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/html", response.ContentType, StringComparison.Ordinal);
        Assert.Contains("Durable timers", response.Body, StringComparison.Ordinal);
        Assert.Contains("How do durable timers work?", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReviewPage_TokenForAnotherRun_Answers403AndReadsNothing()
    {
        var token = _services.GetRequiredService<ReviewLinkSigner>().Sign(LinkPurpose.View, "another-run");
        var request = HttpCalls.Get($"/review/{InstanceId}", $"?token={Uri.EscapeDataString(token)}");

        var response = await HttpCalls.ExecuteAsync(request, await Pages().ReviewPageAsync(request, InstanceId, _client.Object, CancellationToken.None));

        Assert.Equal(403, response.Status);
        _client.VerifyNoOtherCalls();
    }

    public void Dispose() => _services.Dispose();

    private ReviewPageFunctions Pages() => FunctionServices.Create<ReviewPageFunctions>(_services);
}
