using System.Text;
using AgentFunctions.Functions.Functions;
using AgentFunctions.Host.Approvals;
using AgentFunctions.Research.Contracts;
using Microsoft.DurableTask.Client;
using Moq;

namespace AgentFunctions.Functions.Tests;

public sealed class ApprovalsFunctionTests : IDisposable
{
    private const string InstanceId = "run-7";
    private const string Approve = """{"decision": "approve", "reviewer": "ana@example.test", "comment": "Looks right."}""";
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly Microsoft.Extensions.DependencyInjection.ServiceProvider _services = FunctionServices.Build();
    private readonly Mock<DurableTaskClient> _client = new("test");
    private int _raised;

    public ApprovalsFunctionTests() =>
        _client.Setup(c => c.RaiseEventAsync(InstanceId, ReviewDecision.EventName, It.IsAny<object?>(), It.IsAny<CancellationToken>()))
            .Callback(() => _raised++)
            .Returns(Task.CompletedTask);

    [Fact]
    public async Task ReceiveReviewDecision_SignedDecisionWhileAwaiting_Answers202AndRaisesTheEvent()
    {
        Instance(OrchestrationRuntimeStatus.Running, "AwaitingApproval");

        var response = await SendAsync(Approve, "delivery-1");

        Assert.Equal(202, response.Status);
        Assert.Equal("approve", response.Json["decision"]!.GetValue<string>());
        Assert.Equal(1, _raised);
        _client.Verify(c => c.RaiseEventAsync(
            InstanceId, ReviewDecision.EventName, It.Is<object?>(d => ((ReviewDecision)d!).Reviewer == "ana@example.test"), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task ReceiveReviewDecision_WrongSecret_Answers401AndReadsNothing()
    {
        var response = await SendAsync(Approve, "delivery-1", secret: "not-the-secret");

        Assert.Equal(401, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        _client.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task ReceiveReviewDecision_NoDeliveryId_Answers400NamingTheHeader()
    {
        var response = await SendAsync(Approve, deliveryId: null);

        Assert.Equal(400, response.Status);
        Assert.Contains(WebhookSignature.DeliveryHeader, response.Body, StringComparison.Ordinal);
        _client.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task ReceiveReviewDecision_InvalidDecision_Answers400NamingTheField()
    {
        Instance(OrchestrationRuntimeStatus.Running, "AwaitingApproval");

        var response = await SendAsync("""{"decision": "maybe", "reviewer": "ana"}""", "delivery-1");

        Assert.Equal(400, response.Status);
        Assert.True(response.Json["errors"]!.AsObject().ContainsKey("decision"), response.Body);
        Assert.Equal(0, _raised);
    }

    [Fact]
    public async Task ReceiveReviewDecision_RepeatedDeliveryId_AnswersAsTheFirstAndRaisesOnce()
    {
        Instance(OrchestrationRuntimeStatus.Running, "AwaitingApproval");

        var first = await SendAsync(Approve, "delivery-1");
        var repeat = await SendAsync(Approve, "delivery-1");

        Assert.Equal(202, first.Status);
        Assert.Equal(first.Status, repeat.Status);
        Assert.Equal(first.Body, repeat.Body);
        Assert.Equal(1, _raised);
    }

    [Fact]
    public async Task ReceiveReviewDecision_SecondDecisionForTheRound_Answers409()
    {
        Instance(OrchestrationRuntimeStatus.Running, "AwaitingApproval");

        var first = await SendAsync(Approve, "delivery-1");
        var second = await SendAsync("""{"decision": "reject", "reviewer": "bo@example.test"}""", "delivery-2");

        Assert.Equal(202, first.Status);
        Assert.Equal(409, second.Status);
        Assert.Equal(1, _raised);
    }

    [Fact]
    public async Task ReceiveReviewDecision_UnknownInstance_Answers404()
    {
        _client.Setup(c => c.GetInstanceAsync(InstanceId, true, It.IsAny<CancellationToken>())).ReturnsAsync((OrchestrationMetadata?)null);

        var response = await SendAsync(Approve, "delivery-1");

        Assert.Equal(404, response.Status);
        Assert.Equal(0, _raised);
    }

    [Fact]
    public async Task ReceiveReviewDecision_FinishedInstance_Answers410()
    {
        Instance(OrchestrationRuntimeStatus.Completed, "AwaitingApproval");

        var response = await SendAsync(Approve, "delivery-1");

        Assert.Equal(410, response.Status);
        Assert.Equal(0, _raised);
    }

    [Fact]
    public async Task ReceiveReviewDecision_InstanceNotAwaiting_Answers409NamingThePhase()
    {
        Instance(OrchestrationRuntimeStatus.Running, "Searching");

        var response = await SendAsync(Approve, "delivery-1");

        Assert.Equal(409, response.Status);
        Assert.Contains("Searching", response.Json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, _raised);
    }

    public void Dispose() => _services.Dispose();

    private void Instance(OrchestrationRuntimeStatus status, string phase) =>
        _client.Setup(c => c.GetInstanceAsync(InstanceId, true, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new OrchestrationMetadata("ResearchOrchestrator", InstanceId)
            {
                RuntimeStatus = status,
                CreatedAt = Created,
                LastUpdatedAt = Created,
                SerializedCustomStatus = $$"""{"phase": "{{phase}}"}""",
            });

    private async Task<HttpCalls.Response> SendAsync(string body, string? deliveryId, string secret = FunctionServices.WebhookSecret)
    {
        var headers = new Dictionary<string, string>
        {
            [WebhookSignature.SignatureHeader] = WebhookSignature.CreateHeader(secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), Encoding.UTF8.GetBytes(body)),
        };
        if (deliveryId is not null)
        {
            headers[WebhookSignature.DeliveryHeader] = deliveryId;
        }

        var request = HttpCalls.Post($"/api/approvals/{InstanceId}", body, headers);
        var functions = FunctionServices.Create<ResearchApiFunctions>(_services);
        return await HttpCalls.ExecuteAsync(request, await functions.ReceiveReviewDecisionAsync(request, InstanceId, _client.Object, CancellationToken.None));
    }
}
