using AgentFunctions.Functions.Functions;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Moq;

namespace AgentFunctions.Functions.Tests;

public sealed class ResearchApiFunctionsTests : IDisposable
{
    private readonly Microsoft.Extensions.DependencyInjection.ServiceProvider _services = FunctionServices.Build();
    private readonly Mock<DurableTaskClient> _client = new("test");

    [Fact]
    public async Task SubmitResearch_ValidRequest_Answers202WithCheckStatusBodyAndLocation()
    {
        ResearchRequest? started = null;
        _client.Setup(c => c.ScheduleNewOrchestrationInstanceAsync(
                It.Is<TaskName>(n => n.Name == nameof(ResearchOrchestrator)), It.IsAny<object?>(), It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()))
            .Callback<TaskName, object?, StartOrchestrationOptions?, CancellationToken>((_, input, _, _) => started = (ResearchRequest?)input)
            .ReturnsAsync("run-1");
        var request = HttpCalls.Post("/api/research", """{"question": "How do durable timers work?", "maxSources": 5}""");

        var response = await HttpCalls.ExecuteAsync(request, await Functions().SubmitResearchAsync(request, _client.Object, CancellationToken.None));

        Assert.Equal(202, response.Status);
        var body = response.Json;
        Assert.Equal("run-1", body["id"]!.GetValue<string>());
        Assert.Equal(body["statusQueryGetUri"]!.GetValue<string>(), response.Location);
        var prefix = "https://app.example.test/runtime/webhooks/durabletask/instances/run-1";
        Assert.StartsWith($"{prefix}?", body["statusQueryGetUri"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith($"{prefix}/raiseEvent/{{eventName}}?", body["sendEventPostUri"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith($"{prefix}/terminate?reason={{text}}", body["terminatePostUri"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith($"{prefix}?", body["purgeHistoryDeleteUri"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith($"{prefix}/suspend?reason={{text}}", body["suspendPostUri"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith($"{prefix}/resume?reason={{text}}", body["resumePostUri"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("How do durable timers work?", started!.Question);
        Assert.Equal(5, started.MaxSources);
    }

    [Fact]
    public async Task SubmitResearch_InvalidFields_Answers400ProblemNamingEachAndStartsNothing()
    {
        var request = HttpCalls.Post("/api/research", """{"question": "", "maxSources": 0}""");

        var response = await HttpCalls.ExecuteAsync(request, await Functions().SubmitResearchAsync(request, _client.Object, CancellationToken.None));

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        var errors = response.Json["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("question"), response.Body);
        Assert.True(errors.ContainsKey("maxSources"), response.Body);
        _client.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task SubmitResearch_BodyOverLimit_Answers413()
    {
        var request = HttpCalls.Post("/api/research", $$"""{"question": "{{new string('q', 4096)}}"}""");

        var response = await HttpCalls.ExecuteAsync(request, await Functions().SubmitResearchAsync(request, _client.Object, CancellationToken.None));

        Assert.Equal(413, response.Status);
        _client.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task SubmitResearch_RepeatedIdempotencyKey_StartsOnceAndAnswersTheSameInstance()
    {
        var scheduled = 0;
        _client.Setup(c => c.ScheduleNewOrchestrationInstanceAsync(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()))
            .Returns<TaskName, object?, StartOrchestrationOptions?, CancellationToken>((_, _, options, _) =>
            {
                scheduled++;
                return Task.FromResult(options!.InstanceId!);
            });
        var functions = Functions();
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = "order-42" };

        var first = HttpCalls.Post("/api/research", """{"question": "Why idempotency?"}""", headers);
        var firstResponse = await HttpCalls.ExecuteAsync(first, await functions.SubmitResearchAsync(first, _client.Object, CancellationToken.None));
        var second = HttpCalls.Post("/api/research", """{"question": "Why idempotency?"}""", headers);
        var secondResponse = await HttpCalls.ExecuteAsync(second, await functions.SubmitResearchAsync(second, _client.Object, CancellationToken.None));

        Assert.Equal(202, firstResponse.Status);
        Assert.Equal(202, secondResponse.Status);
        Assert.Equal(firstResponse.Json["id"]!.GetValue<string>(), secondResponse.Json["id"]!.GetValue<string>());
        Assert.Equal(1, scheduled);
    }

    public void Dispose() => _services.Dispose();

    private ResearchApiFunctions Functions() => FunctionServices.Create<ResearchApiFunctions>(_services);
}
