using System.Diagnostics;
using AgentFunctions.Research.Agents;
using AgentFunctions.Research.Models;
using AgentFunctions.Research.Tests.Agents;
using Microsoft.Extensions.AI;

namespace AgentFunctions.Research.Tests.Models;

public sealed class OpenAIChatClientTests : IAsyncLifetime
{
    private const string ValidPlan = """{"subQueries":[{"text":"durable functions retry","rationale":"retries"}]}""";
    private readonly FakeOpenAIServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private OpenAIChatClient Client(int maxRetries = 2, TimeSpan? maxDelay = null) => new(new OpenAIChatClientOptions
    {
        Endpoint = _server.Endpoint,
        Deployment = "gpt-test",
        ApiKey = "test-key-not-secret",
        MaxRetries = maxRetries,
        MaxRetryDelay = maxDelay ?? TimeSpan.FromSeconds(2),
        NetworkTimeout = TimeSpan.FromSeconds(10),
    });

    [Fact]
    public async Task GetResponseAsync_Success_MapsTextUsageAndRequest()
    {
        _server.EnqueueCompletion("{\"ok\":true}", promptTokens: 111, completionTokens: 22);
        using var client = Client();
        var schema = AgentPrompt.ParseSchema("""{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"],"additionalProperties":false}""");

        var response = await client.GetResponseAsync(
            [new ChatMessage(ChatRole.System, "sys"), new ChatMessage(ChatRole.User, "hi")],
            new ChatOptions { Temperature = 0, MaxOutputTokens = 50, ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "probe") });

        Assert.Equal("{\"ok\":true}", response.Text);
        Assert.Equal(111, response.Usage!.InputTokenCount);
        Assert.Equal(22, response.Usage.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.True(_server.Requests.TryDequeue(out var request));
        Assert.Equal("/openai/v1/chat/completions", request.Path);
        Assert.Equal("Bearer test-key-not-secret", request.Authorization);
        Assert.Equal("gpt-test", request.Body.GetProperty("model").GetString());
        Assert.Equal(0, request.Body.GetProperty("temperature").GetDouble());
        var format = request.Body.GetProperty("response_format");
        Assert.Equal("json_schema", format.GetProperty("type").GetString());
        Assert.Equal("probe", format.GetProperty("json_schema").GetProperty("name").GetString());
        Assert.True(format.GetProperty("json_schema").GetProperty("strict").GetBoolean());
    }

    [Fact]
    public async Task GetResponseAsync_429WithRetryAfterMs_WaitsThenSucceeds()
    {
        _server.EnqueueError(429, "rate_limit", new Dictionary<string, string> { ["retry-after-ms"] = "300", ["retry-after"] = "30" });
        _server.EnqueueCompletion("done");
        using var client = Client();
        var watch = Stopwatch.StartNew();

        var response = await client.GetResponseAsync("hi");

        Assert.Equal("done", response.Text);
        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(300), client.RetryPolicy.TotalWaited);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task GetResponseAsync_429AskingLongerThanCap_FailsFastWithRetryAfter()
    {
        _server.EnqueueError(429, "rate_limit", new Dictionary<string, string> { ["retry-after"] = "3600" });
        using var client = Client(maxDelay: TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(TimeSpan.FromHours(1), ex.RetryAfter);
        Assert.Single(_server.Requests);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"waited {watch.Elapsed}");
    }

    [Fact]
    public async Task GetResponseAsync_Persistent429_StopsAfterMaxRetries()
    {
        for (var i = 0; i < 5; i++)
        {
            _server.EnqueueError(429, "rate_limit", new Dictionary<string, string> { ["retry-after-ms"] = "10" });
        }

        using var client = Client(maxRetries: 2);

        var ex = await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(3, _server.Requests.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(10), ex.RetryAfter);
    }

    [Fact]
    public async Task PlanAsync_InvalidJsonThenValid_RepairsThroughTheRealSdk()
    {
        _server.EnqueueCompletion("Sure! Here is the plan.", promptTokens: 100, completionTokens: 7);
        _server.EnqueueCompletion(ValidPlan, promptTokens: 150, completionTokens: 20);
        using var client = Client();

        var result = await new PlannerAgent(client).PlanAsync(Samples.Question, 3);

        Assert.Equal(2, result.Attempts);
        Assert.Equal(250, result.Usage.InputTokens);
        Assert.Equal(27, result.Usage.OutputTokens);
        var repair = _server.Requests.Last().Body.GetProperty("messages");
        Assert.Equal(4, repair.GetArrayLength());
        Assert.Equal("assistant", repair[2].GetProperty("role").GetString());
    }

    [Fact]
    public async Task GetResponseAsync_FinishReasonLength_IsSurfacedAndTheAgentRepairs()
    {
        _server.EnqueueCompletion("{\"subQueries\":[{\"te", finishReason: "length");
        _server.EnqueueCompletion(ValidPlan);
        using var client = Client();

        var result = await new PlannerAgent(client).PlanAsync(Samples.Question, 3);

        Assert.Equal(2, result.Attempts);
        Assert.Contains("cut off", _server.Requests.Last().Body.GetProperty("messages")[3].GetProperty("content").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_ContentFilterFinish_ThrowsTypedError()
    {
        _server.EnqueueCompletion(string.Empty, finishReason: "content_filter");
        using var client = Client();

        var ex = await Assert.ThrowsAsync<ModelRequestException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(ModelRequestFailure.ContentFilter, ex.Failure);
    }

    [Fact]
    public async Task GetResponseAsync_PromptFiltered400_ThrowsTypedError()
    {
        _server.EnqueueError(400, "content_filter");
        using var client = Client();

        var ex = await Assert.ThrowsAsync<ModelRequestException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(ModelRequestFailure.ContentFilter, ex.Failure);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task GetResponseAsync_401_ThrowsClearErrorNamingEndpointNotKey()
    {
        _server.EnqueueError(401, "invalid_api_key");
        using var client = Client();

        var ex = await Assert.ThrowsAsync<ModelRequestException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(ModelRequestFailure.Authentication, ex.Failure);
        Assert.Equal(401, ex.Status);
        Assert.Contains(_server.Endpoint.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("test-key-not-secret", ex.Message, StringComparison.Ordinal);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task GetResponseAsync_ServerErrorsExhaustRetries_ThrowsModelUnavailable()
    {
        for (var i = 0; i < 3; i++)
        {
            _server.EnqueueError(503, "overloaded", new Dictionary<string, string> { ["retry-after-ms"] = "5" });
        }

        using var client = Client(maxRetries: 2);

        var ex = await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("hi"));

        Assert.Contains("503", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Theory]
    [InlineData("https://x.openai.azure.com", "https://x.openai.azure.com/openai/v1/")]
    [InlineData("https://x.openai.azure.com/openai/v1", "https://x.openai.azure.com/openai/v1/")]
    [InlineData("https://x.openai.azure.com/openai/", "https://x.openai.azure.com/openai/v1/")]
    public void NormalizeEndpoint_AcceptsResourceOrV1Url(string input, string expected) =>
        Assert.Equal(expected, ModelProviderFactory.NormalizeEndpoint(new Uri(input)).ToString());

    [Fact]
    public void CreateProvider_NoEndpoint_IsOffline() =>
        Assert.IsType<OfflineChatClient>(ModelProviderFactory.CreateProvider(ModelProviderSettings.From(_ => null)));

    [Fact]
    public void CreateProvider_EndpointWithoutDeployment_ThrowsNamingTheSetting()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ModelProviderFactory.CreateProvider(new ModelProviderSettings("https://x.openai.azure.com", null, "k")));

        Assert.Contains(ModelProviderSettings.DeploymentKey, ex.Message, StringComparison.Ordinal);
    }
}
