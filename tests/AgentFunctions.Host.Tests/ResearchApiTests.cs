using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace AgentFunctions.Host.Tests;

[Collection(HostCollection.Name)]
public sealed class ResearchApiTests(HostFixture fixture)
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Submit_ValidRequest_Answers202WithCheckStatusBodyAndLocation()
    {
        var (response, body) = await HostApi.SubmitAsync(_client, new { question = "How do durable timers work?", maxSources = 5, approvalTimeout = "PT2H", tokenBudget = 20000 });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = body["id"]!.GetValue<string>();
        var prefix = $"{fixture.Host.BaseAddress.ToString().TrimEnd('/')}{HostApi.Management}/instances/{id}";
        Assert.Equal(body["statusQueryGetUri"]!.GetValue<string>(), response.Headers.Location!.ToString());
        Assert.StartsWith($"{prefix}?", body["statusQueryGetUri"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith($"{prefix}/raiseEvent/{{eventName}}?", body["sendEventPostUri"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith($"{prefix}/terminate?reason={{text}}", body["terminatePostUri"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith($"{prefix}?", body["purgeHistoryDeleteUri"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith($"{prefix}/suspend?reason={{text}}", body["suspendPostUri"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith($"{prefix}/resume?reason={{text}}", body["resumePostUri"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("taskHub=HostTests", body["statusQueryGetUri"]!.GetValue<string>(), StringComparison.Ordinal);

        // The status link works as given, and the input is the request as a JSON value.
        var status = await HostApi.WaitForPhaseAsync(_client, id, "AwaitingApproval");
        Assert.Equal("ResearchOrchestrator", status["name"]!.GetValue<string>());
        Assert.Equal("How do durable timers work?", status["input"]!["question"]!.GetValue<string>());
        Assert.Equal(5, status["input"]!["maxSources"]!.GetValue<int>());
    }

    [Fact]
    public async Task Submit_WithApproval_WalksThePhasesToAwaitingApproval()
    {
        var id = await HostApi.StartAsync(_client);

        var status = await HostApi.WaitForPhaseAsync(_client, id, "AwaitingApproval");

        Assert.Equal("Running", status["runtimeStatus"]!.GetValue<string>());
        Assert.NotNull(status["customStatus"]!["draft"]!["title"]);
        var history = await HostApi.StatusAsync(_client, id, showHistory: true);
        var activities = history!["historyEvents"]!.AsArray()
            .Where(e => e!["EventType"]!.GetValue<string>() == "TaskScheduled")
            .Select(e => e!["FunctionName"]!.GetValue<string>())
            .Distinct()
            .ToList();
        string[] pipeline = ["PlanResearchActivity", "SearchSourcesActivity", "ValidateSourceActivity", "SynthesizeReportActivity", "CheckCitationsActivity", "NotifyReviewerActivity"];
        Assert.Equal(pipeline, activities.Where(pipeline.Contains));
    }

    [Theory]
    [InlineData("{\"maxSources\": 3}", "question")]
    [InlineData("{\"question\": \"   \"}", "question")]
    [InlineData("{\"question\": 42}", "question")]
    [InlineData("{\"question\": \"q\", \"maxSources\": 0}", "maxSources")]
    [InlineData("{\"question\": \"q\", \"maxSources\": 51}", "maxSources")]
    [InlineData("{\"question\": \"q\", \"maxSources\": \"eight\"}", "maxSources")]
    [InlineData("{\"question\": \"q\", \"approvalTimeout\": \"24 hours\"}", "approvalTimeout")]
    [InlineData("{\"question\": \"q\", \"approvalTimeout\": \"PT10S\"}", "approvalTimeout")]
    [InlineData("{\"question\": \"q\", \"approvalTimeout\": \"P400D\"}", "approvalTimeout")]
    [InlineData("{\"question\": \"q\", \"tokenBudget\": 10}", "tokenBudget")]
    [InlineData("{\"question\": \"q\", \"tokenBudget\": 5000000}", "tokenBudget")]
    [InlineData("{\"question\": \"q\", \"callbackUrl\": \"/relative\"}", "callbackUrl")]
    [InlineData("{\"question\": \"q\", \"callbackUrl\": \"ftp://example.org/x\"}", "callbackUrl")]
    [InlineData("{\"question\": \"q\", \"callbackUrl\": \"https://10.0.0.5/cb\"}", "callbackUrl")]
    [InlineData("{\"question\": \"q\", \"callbackUrl\": \"https://169.254.169.254/latest/meta-data/\"}", "callbackUrl")]
    [InlineData("{\"question\": \"q\", \"callbackUrl\": \"https://2130706433/cb\"}", "callbackUrl")]
    [InlineData("{\"question\": \"q\", \"callbackUrl\": \"https://[::ffff:127.0.0.1]/cb\"}", "callbackUrl")]
    [InlineData("{\"question\": \"q\", \"callbackUrl\": \"https://localhost/cb\"}", "callbackUrl")]
    [InlineData("{\"question\": \"q\", \"callbackUrl\": \"https://user:pw@example.com/cb\"}", "callbackUrl")]
    [InlineData("{\"question\": \"q\", \"callbackUrl\": \"http://example.com/cb\"}", "callbackUrl")]
    [InlineData("{\"question\": \"q\", \"requireApproval\": \"yes\"}", "requireApproval")]
    [InlineData("{not json", "body")]
    [InlineData("[1, 2]", "body")]
    public async Task Submit_BadField_Answers400ProblemNamingTheField(string json, string field)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");

        using var response = await _client.PostAsync(new Uri("/api/research", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal([field], problem["errors"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Submit_PrivateCallbackUrl_Answers400SayingWhyAndWhichSettingAllowsIt()
    {
        var (response, problem) = await HostApi.SubmitAsync(_client, new { question = "q", callbackUrl = "https://10.0.0.5/cb" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            "callbackUrl: host '10.0.0.5' is a private address (10.0.0.0/8); set AgentFunctions:Callbacks:AllowPrivateNetworks=true to allow.",
            problem["errors"]!["callbackUrl"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Submit_PublicHttpsCallbackUrl_IsAccepted()
    {
        var (response, _) = await HostApi.SubmitAsync(_client, new { question = "Callback question?", callbackUrl = "https://hooks.example.com/research?token=t" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Submit_QuestionTooLong_Answers400NamingQuestion()
    {
        var (response, problem) = await HostApi.SubmitAsync(_client, new { question = new string('q', 2001) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("2000", problem["errors"]!["question"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_SeveralBadFields_NamesEachOne()
    {
        var (response, problem) = await HostApi.SubmitAsync(_client, new { question = "", maxSources = 99, approvalTimeout = "soon" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["approvalTimeout", "maxSources", "question"], problem["errors"]!.AsObject().Select(p => p.Key).Order());
    }

    [Fact]
    public async Task Submit_BodyOver64KB_Answers413()
    {
        var json = $"{{\"question\": \"q\", \"padding\": \"{new string('x', 70 * 1024)}\"}}";
        using var content = new StringContent(json, Encoding.UTF8, "application/json");

        using var response = await _client.PostAsync(new Uri("/api/research", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Submit_SameIdempotencyKeyTwice_ReturnsSameInstanceAndBody()
    {
        var key = Guid.NewGuid().ToString();
        var request = new { question = "Idempotent question?", requireApproval = true };

        var (first, firstBody) = await HostApi.SubmitAsync(_client, request, key);
        var (second, secondBody) = await HostApi.SubmitAsync(_client, request, key);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(firstBody.ToJsonString(), secondBody.ToJsonString());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
    }

    [Fact]
    public async Task Submit_SameIdempotencyKeyConcurrently_StartsOneInstance()
    {
        var key = Guid.NewGuid().ToString();
        var question = $"Concurrent {key}?";

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => HostApi.SubmitAsync(_client, new { question }, key)));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.Accepted, r.Response.StatusCode));
        var id = Assert.Single(results.Select(r => r.Body["id"]!.GetValue<string>()).Distinct());
        await HostApi.WaitForPhaseAsync(_client, id, "AwaitingApproval");
        using var list = await _client.GetAsync(new Uri($"{HostApi.Management}/instances?top=1000", UriKind.Relative));
        var instances = JsonNode.Parse(await list.Content.ReadAsStringAsync())!.AsArray();
        Assert.Single(instances, i => i!["input"]?["question"]?.GetValue<string>() == question);
    }

    [Fact]
    public async Task Submit_IdempotencyKeyWithDifferentBody_Answers422()
    {
        var key = Guid.NewGuid().ToString();
        await HostApi.SubmitAsync(_client, new { question = "First?" }, key);

        var (response, _) = await HostApi.SubmitAsync(_client, new { question = "Second?" }, key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Fact]
    public async Task GetResearch_KnownInstance_ReturnsStatus()
    {
        var id = await HostApi.StartAsync(_client, requireApproval: false);
        await HostApi.WaitForStatusAsync(_client, id, "Completed");

        var status = await _client.GetFromJsonAsync<JsonObject>(new Uri($"/api/research/{id}", UriKind.Relative));

        Assert.Equal("NotReviewed", status!["output"]!["outcome"]!.GetValue<string>());
    }
}
