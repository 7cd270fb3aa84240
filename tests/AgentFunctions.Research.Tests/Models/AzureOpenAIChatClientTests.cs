using System.Diagnostics;
using AgentFunctions.Research.Agents;
using AgentFunctions.Research.Models;
using AgentFunctions.Research.Telemetry;
using AgentFunctions.Research.Tests.Agents;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Research.Tests.Models;

/// <summary>The real Azure OpenAI SDK client, composed as the product composes it, against a loopback fake resource.</summary>
public sealed class AzureOpenAIChatClientTests : IAsyncLifetime
{
    private const string ValidPlan = """{"subQueries":[{"text":"durable functions retry","rationale":"retries"}]}""";
    private const string Key = "test-key-not-secret";
    private readonly FakeOpenAIServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ModelProviderSettings Settings(string? apiKey = Key) => new(_server.Endpoint.ToString(), "gpt-test", apiKey);

    private IChatClient Client(
        int maxRetries = 2, TimeSpan? maxDelay = null, TimeSpan? timeout = null, ModelCircuitBreaker? breaker = null, TokenCredential? credential = null, string? apiKey = Key) =>
        ModelProviderFactory.Create(
            Settings(apiKey),
            breaker ?? new ModelCircuitBreaker(),
            new ModelClientOptions { MaxRetries = maxRetries, MaxRetryDelay = maxDelay ?? TimeSpan.FromSeconds(2), NetworkTimeout = timeout ?? TimeSpan.FromSeconds(10) },
            credential);

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
        Assert.Equal("/openai/deployments/gpt-test/chat/completions", request.Path);
        Assert.Contains("api-version=", request.Query, StringComparison.Ordinal);
        Assert.Equal(Key, request.ApiKey);
        Assert.Null(request.Authorization);
        Assert.Equal(0, request.Body.GetProperty("temperature").GetDouble());
        Assert.Equal(2, request.Body.GetProperty("messages").GetArrayLength());
        var format = request.Body.GetProperty("response_format");
        Assert.Equal("json_schema", format.GetProperty("type").GetString());
        Assert.Equal("probe", format.GetProperty("json_schema").GetProperty("name").GetString());
        Assert.True(format.GetProperty("json_schema").GetProperty("strict").GetBoolean());
        var cap = request.Body.TryGetProperty("max_completion_tokens", out var completionCap) ? completionCap : request.Body.GetProperty("max_tokens");
        Assert.Equal(50, cap.GetInt32());
    }

    [Fact]
    public async Task GetResponseAsync_JsonModeWithoutSchema_SendsJsonObjectFormat()
    {
        _server.EnqueueCompletion("{}");
        using var client = Client();

        await client.GetResponseAsync("hi", new ChatOptions { ResponseFormat = ChatResponseFormat.Json });

        Assert.True(_server.Requests.TryDequeue(out var request));
        Assert.Equal("json_object", request.Body.GetProperty("response_format").GetProperty("type").GetString());
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
        Assert.Equal(TimeSpan.FromMilliseconds(300), client.GetService<RetryAfterChatClient>()!.TotalWaited);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task GetResponseAsync_429WithRetryAfterSeconds_WaitsThatLong()
    {
        _server.EnqueueError(429, "rate_limit", new Dictionary<string, string> { ["retry-after"] = "1" });
        _server.EnqueueCompletion("done");
        using var client = Client();

        var response = await client.GetResponseAsync("hi");

        Assert.Equal("done", response.Text);
        Assert.Equal(TimeSpan.FromSeconds(1), client.GetService<RetryAfterChatClient>()!.TotalWaited);
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
    public async Task GetResponseAsync_NoRetriesConfigured_SdkDoesNotRetryEither()
    {
        for (var i = 0; i < 4; i++)
        {
            _server.EnqueueError(503, "overloaded");
        }

        using var client = Client(maxRetries: 0);

        await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("hi"));

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

    [Fact]
    public async Task GetResponseAsync_RetriedFailures_CountOnceTowardsTheBreaker()
    {
        for (var i = 0; i < 3; i++)
        {
            _server.EnqueueError(503, "overloaded", new Dictionary<string, string> { ["retry-after-ms"] = "5" });
        }

        var breaker = new ModelCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 2 });
        using var client = Client(maxRetries: 2, breaker: breaker);

        await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(3, _server.Requests.Count);
        Assert.Equal((1, CircuitState.Closed), (breaker.ConsecutiveFailures, breaker.State));
    }

    [Fact]
    public async Task GetResponseAsync_ServerSlowerThanTimeout_ThrowsModelUnavailable()
    {
        _server.Enqueue(new FakeOpenAIServer.Reply(200, "{}", Delay: TimeSpan.FromSeconds(5)));
        using var client = Client(maxRetries: 0, timeout: TimeSpan.FromMilliseconds(500));
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("hi"));

        Assert.Contains("did not answer in time", ex.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"waited {watch.Elapsed}");
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
        Assert.Equal(2, result.Usage.LlmCalls);
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
    public async Task GetResponseAsync_PromptFiltered400_ThrowsTypedErrorWithoutRetry()
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
        Assert.DoesNotContain(Key, ex.Message, StringComparison.Ordinal);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task GetResponseAsync_NoKey_SendsEntraTokenForCognitiveServices()
    {
        _server.EnqueueCompletion("ok");
        var credential = new RecordingCredential();
        using var client = Client(apiKey: null, credential: credential);

        await client.GetResponseAsync("hi");

        Assert.True(_server.Requests.TryDequeue(out var request));
        Assert.Equal("Bearer token-for-tests", request.Authorization);
        Assert.Null(request.ApiKey);
        Assert.Equal(["https://cognitiveservices.azure.com/.default"], credential.Scopes);
    }

    [Fact]
    public async Task GetResponseAsync_NoCredentialAvailable_ThrowsAuthenticationErrorNamingTheSettings()
    {
        using var client = Client(apiKey: null, credential: new RecordingCredential(fail: true));

        var ex = await Assert.ThrowsAsync<ModelRequestException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(ModelRequestFailure.Authentication, ex.Failure);
        Assert.Contains(ModelProviderSettings.ApiKeyKey, ex.Message, StringComparison.Ordinal);
        Assert.Contains(ModelProviderSettings.ClientIdKey, ex.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task GetResponseAsync_Success_RecordsAGenAiSpanOnTheResearchSource()
    {
        _server.EnqueueCompletion("ok", promptTokens: 42, completionTokens: 7);
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ResearchTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        using var client = Client();

        await client.GetResponseAsync("hi");

        var span = Assert.Single(spans, s => s.GetTagItem("gen_ai.request.model") as string == "gpt-test");
        Assert.Equal(42, Convert.ToInt32(span.GetTagItem("gen_ai.usage.input_tokens"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(7, Convert.ToInt32(span.GetTagItem("gen_ai.usage.output_tokens"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Create_Composition_TelemetryLoggingBreakerRetryAroundTheSdk()
    {
        var breaker = new ModelCircuitBreaker();
        using var client = Client(breaker: breaker);

        Assert.IsType<OpenTelemetryChatClient>(client);
        Assert.Same(breaker, client.GetService<ModelCircuitBreaker>());
        Assert.Equal(2, client.GetService<RetryAfterChatClient>()!.MaxRetries);
        Assert.NotNull(client.GetService<ModelFailureClassifier>());
        Assert.NotNull(client.GetService<OpenAI.Chat.ChatClient>());
    }

    [Theory]
    [InlineData("https://x.openai.azure.com", "https://x.openai.azure.com/")]
    [InlineData("https://x.openai.azure.com/openai/v1", "https://x.openai.azure.com/")]
    [InlineData("https://x.openai.azure.com/openai/v1/", "https://x.openai.azure.com/")]
    [InlineData("https://x.openai.azure.com/openai/", "https://x.openai.azure.com/")]
    [InlineData("https://gateway.example.com/team-a", "https://gateway.example.com/team-a/")]
    public void Validate_ResourceOrV1Url_YieldsTheResourceEndpoint(string input, string expected) =>
        Assert.Equal(expected, new ModelProviderSettings(input, "gpt", "k").Validate()!.ToString());

    [Fact]
    public void CreateProvider_NoEndpoint_IsOffline() =>
        Assert.IsType<OfflineChatClient>(ModelProviderFactory.CreateProvider(ModelProviderSettings.From(_ => null)));

    [Theory]
    [InlineData("https://x.openai.azure.com", null, null, "AZURE_OPENAI_DEPLOYMENT")]
    [InlineData("x.openai.azure.com", "gpt", null, "AZURE_OPENAI_ENDPOINT")]
    [InlineData("ftp://x.openai.azure.com", "gpt", null, "AZURE_OPENAI_ENDPOINT")]
    [InlineData("http://x.openai.azure.com", "gpt", null, "AZURE_OPENAI_ENDPOINT")]
    [InlineData("https://x.openai.azure.com/?api-version=1", "gpt", null, "AZURE_OPENAI_ENDPOINT")]
    [InlineData("https://x.openai.azure.com", "gpt 4o", null, "AZURE_OPENAI_DEPLOYMENT")]
    [InlineData("https://x.openai.azure.com", "gpt", "my-identity", "AZURE_CLIENT_ID")]
    public void CreateProvider_BadSetting_ThrowsNamingTheKey(string endpoint, string? deployment, string? clientId, string key)
    {
        var ex = Assert.Throws<ArgumentException>(() => ModelProviderFactory.CreateProvider(new ModelProviderSettings(endpoint, deployment, null, clientId)));

        Assert.StartsWith($"Invalid setting '{key}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddResearchAgents_BadEndpoint_FailsAtRegistrationNamingTheKey()
    {
        var settings = ModelProviderSettings.From(key => key == ModelProviderSettings.EndpointKey ? "not a url" : "gpt");

        var ex = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddResearchAgents(settings));

        Assert.StartsWith("Invalid setting 'AZURE_OPENAI_ENDPOINT'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_ReadsAllFourSettings()
    {
        var values = new Dictionary<string, string>
        {
            ["AZURE_OPENAI_ENDPOINT"] = " https://x.openai.azure.com/ ",
            ["AZURE_OPENAI_DEPLOYMENT"] = "gpt",
            ["AZURE_OPENAI_API_KEY"] = "",
            ["AZURE_CLIENT_ID"] = "2f1c4e8a-0000-4000-8000-000000000001",
        };

        var settings = ModelProviderSettings.From(key => values.GetValueOrDefault(key));

        Assert.Equal(new ModelProviderSettings("https://x.openai.azure.com/", "gpt", null, "2f1c4e8a-0000-4000-8000-000000000001"), settings);
        Assert.Contains("identity 2f1c4e8a", settings.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Stands in for Entra ID, which cannot be reached from here; records the scopes asked for.</summary>
    private sealed class RecordingCredential(bool fail = false) : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.AddRange(requestContext.Scopes);
            return fail
                ? throw new CredentialUnavailableException("no credential in this test")
                : new AccessToken("token-for-tests", DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
