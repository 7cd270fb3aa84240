using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace AgentFunctions.Host.Tests;

[Collection(HostCollection.Name)]
public sealed class ManagementApiTests(HostFixture fixture)
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task GetInstance_Running_Answers202WithLocationAndRetryAfter()
    {
        var id = await AwaitingAsync();

        using var response = await _client.GetAsync(Uri($"/instances/{id}"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.EndsWith($"{HostApi.Management}/instances/{id}", response.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Running", body["runtimeStatus"]!.GetValue<string>());
        Assert.IsType<JsonObject>(body["input"]);
        Assert.IsType<JsonObject>(body["customStatus"]);
        Assert.Null(body["output"]);
        Assert.True(DateTimeOffset.TryParse(body["createdTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.NotNull(body["lastUpdatedTime"]);
        Assert.Null(body["historyEvents"]);
    }

    [Fact]
    public async Task GetInstance_Completed_Answers200WithOutputAndHistory()
    {
        var id = await HostApi.StartAsync(_client, requireApproval: false);
        await HostApi.WaitForStatusAsync(_client, id, "Completed");

        using var response = await _client.GetAsync(Uri($"/instances/{id}?showHistory=true&showHistoryOutput=true"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("NotReviewed", body["output"]!["outcome"]!.GetValue<string>());
        var types = body["historyEvents"]!.AsArray().Select(e => e!["EventType"]!.GetValue<string>()).ToList();
        Assert.Equal("ExecutionStarted", types[0]);
        Assert.Equal("ExecutionCompleted", types[^1]);
        Assert.Contains("TaskScheduled", types);
        Assert.Contains("TaskCompleted", types);
    }

    [Fact]
    public async Task GetInstance_Unknown_Answers404()
    {
        using var response = await _client.GetAsync(Uri("/instances/does-not-exist"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ListInstances_TopAndContinuation_PagesThroughAll()
    {
        var prefix = $"page{Guid.NewGuid():N}"[..16];
        for (var i = 0; i < 5; i++)
        {
            using var start = await _client.PostAsync(Uri($"/orchestrators/ResearchOrchestrator/{prefix}-{i}"), JsonContent.Create(new { question = $"q{i}", requireApproval = false }));
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        }

        var seen = new List<string>();
        string? token = null;
        for (var page = 0; page < 10; page++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Uri($"/instances?instanceIdPrefix={prefix}&top=2"));
            if (token is not null)
            {
                request.Headers.Add("x-ms-continuation-token", token);
            }

            using var response = await _client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var items = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
            Assert.True(items.Count <= 2);
            seen.AddRange(items.Select(i => i!["instanceId"]!.GetValue<string>()));
            token = response.Headers.TryGetValues("x-ms-continuation-token", out var values) ? values.Single() : null;
            if (token is null)
            {
                break;
            }
        }

        Assert.Null(token);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{prefix}-{i}").Order(), seen.Order());
    }

    [Fact]
    public async Task ListInstances_RuntimeStatusFilter_ReturnsOnlyThoseStatuses()
    {
        var running = await AwaitingAsync();

        using var response = await _client.GetAsync(Uri("/instances?runtimeStatus=Completed,Terminated&top=1000"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        Assert.All(items, i => Assert.Contains(i!["runtimeStatus"]!.GetValue<string>(), new[] { "Completed", "Terminated" }));
        Assert.DoesNotContain(items, i => i!["instanceId"]!.GetValue<string>() == running);
    }

    [Theory]
    [InlineData("runtimeStatus=Sleeping", "runtimeStatus")]
    [InlineData("top=0", "top")]
    [InlineData("top=abc", "top")]
    [InlineData("createdTimeFrom=yesterday", "createdTimeFrom")]
    public async Task ListInstances_BadFilter_Answers400NamingIt(string query, string field)
    {
        using var response = await _client.GetAsync(Uri($"/instances?{query}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![field]);
    }

    [Fact]
    public async Task RaiseEvent_RunningInstance_Answers202AndDeliversPayload()
    {
        var id = await AwaitingAsync();

        using var response = await _client.PostAsync(Uri($"/instances/{id}/raiseEvent/ReviewDecision"),
            JsonContent.Create(new { decision = "reject", reviewer = "ops", comment = (string?)null, decidedAt = DateTimeOffset.UtcNow }));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var status = await HostApi.WaitForStatusAsync(_client, id, "Completed");
        Assert.Equal("Rejected", status["output"]!["outcome"]!.GetValue<string>());
    }

    [Fact]
    public async Task RaiseEvent_UnknownFinishedOrBadBody_Answers404_410_400()
    {
        var done = await HostApi.StartAsync(_client, requireApproval: false);
        await HostApi.WaitForStatusAsync(_client, done, "Completed");
        var running = await AwaitingAsync();

        using var unknown = await _client.PostAsync(Uri("/instances/nope/raiseEvent/X"), JsonContent.Create(1));
        using var finished = await _client.PostAsync(Uri($"/instances/{done}/raiseEvent/X"), JsonContent.Create(1));
        using var badBody = await _client.PostAsync(Uri($"/instances/{running}/raiseEvent/X"), new StringContent("{oops", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, finished.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badBody.StatusCode);
        Assert.Equal(0, await HostApi.CountEventsRaisedAsync(_client, running));
    }

    [Fact]
    public async Task Terminate_RunningThenAgain_Answers202Then410()
    {
        var id = await AwaitingAsync();

        using var first = await _client.PostAsync(Uri($"/instances/{id}/terminate?reason=no%20longer%20needed"), null);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var status = await HostApi.WaitForStatusAsync(_client, id, "Terminated");
        using var second = await _client.PostAsync(Uri($"/instances/{id}/terminate"), null);
        using var unknown = await _client.PostAsync(Uri("/instances/nope/terminate"), null);

        Assert.Equal("no longer needed", status["output"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Gone, second.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task SuspendResume_RunningInstance_ChangesStatus()
    {
        var id = await AwaitingAsync();

        using var suspend = await _client.PostAsync(Uri($"/instances/{id}/suspend?reason=hold"), null);
        Assert.Equal(HttpStatusCode.Accepted, suspend.StatusCode);
        await HostApi.WaitForStatusAsync(_client, id, "Suspended");
        using var resume = await _client.PostAsync(Uri($"/instances/{id}/resume?reason=go"), null);
        Assert.Equal(HttpStatusCode.Accepted, resume.StatusCode);
        await HostApi.WaitForStatusAsync(_client, id, "Running");

        using var unknownSuspend = await _client.PostAsync(Uri("/instances/nope/suspend"), null);
        using var unknownResume = await _client.PostAsync(Uri("/instances/nope/resume"), null);
        Assert.Equal(HttpStatusCode.NotFound, unknownSuspend.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownResume.StatusCode);
    }

    [Fact]
    public async Task SuspendResume_FinishedInstance_Answers410()
    {
        var id = await HostApi.StartAsync(_client, requireApproval: false);
        await HostApi.WaitForStatusAsync(_client, id, "Completed");

        using var suspend = await _client.PostAsync(Uri($"/instances/{id}/suspend"), null);
        using var resume = await _client.PostAsync(Uri($"/instances/{id}/resume"), null);

        Assert.Equal(HttpStatusCode.Gone, suspend.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, resume.StatusCode);
    }

    [Fact]
    public async Task Purge_FinishedInstance_Answers200ThenInstanceIsGone()
    {
        var id = await HostApi.StartAsync(_client, requireApproval: false);
        await HostApi.WaitForStatusAsync(_client, id, "Completed");

        using var purge = await _client.DeleteAsync(Uri($"/instances/{id}"));
        using var again = await _client.DeleteAsync(Uri($"/instances/{id}"));
        using var status = await _client.GetAsync(Uri($"/instances/{id}"));

        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.Equal(1, JsonNode.Parse(await purge.Content.ReadAsStringAsync())!["instancesDeleted"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
    }

    [Fact]
    public async Task StartOrchestrator_WithIdThenSameIdWhileRunning_Answers202Then409()
    {
        var id = $"mgmt-{Guid.NewGuid():N}";
        var input = JsonContent.Create(new { question = "Started through the management API?" });

        using var first = await _client.PostAsync(Uri($"/orchestrators/ResearchOrchestrator/{id}"), input);
        using var second = await _client.PostAsync(Uri($"/orchestrators/ResearchOrchestrator/{id}"), JsonContent.Create(new { question = "again" }));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(id, JsonNode.Parse(await first.Content.ReadAsStringAsync())!["id"]!.GetValue<string>());
        Assert.NotNull(first.Headers.Location);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        await HostApi.WaitForPhaseAsync(_client, id, "AwaitingApproval");
    }

    [Fact]
    public async Task StartOrchestrator_WithoutIdOrUnknownName_Answers202Or400()
    {
        using var generated = await _client.PostAsync(Uri("/orchestrators/ResearchOrchestrator"), JsonContent.Create(new { question = "q", requireApproval = false }));
        using var unknown = await _client.PostAsync(Uri("/orchestrators/NoSuchOrchestrator"), null);

        Assert.Equal(HttpStatusCode.Accepted, generated.StatusCode);
        Assert.False(string.IsNullOrEmpty(JsonNode.Parse(await generated.Content.ReadAsStringAsync())!["id"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.NotNull(JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["errors"]!["name"]);
    }

    [Theory]
    [InlineData("""{"question": 42}""", "question")]
    [InlineData("""{"maxSources": 8}""", "question")]
    [InlineData("""{"question": "q", "approvalTimeout": "tomorrow"}""", "approvalTimeout")]
    [InlineData("""{"question": "q", "tokenBudget": "lots"}""", "tokenBudget")]
    public async Task StartOrchestrator_InvalidResearchInput_Answers400NamingTheField(string input, string field)
    {
        var id = $"mgmt-invalid-{Guid.NewGuid():N}";

        using var response = await _client.PostAsync(Uri($"/orchestrators/ResearchOrchestrator/{id}"), new StringContent(input, Encoding.UTF8, "application/json"));
        using var status = await _client.GetAsync(Uri($"/instances/{id}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![field]);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
    }

    [Fact]
    public async Task StartOrchestrator_ResearchInputWithIsoTimeout_RunsWithThatInput()
    {
        var id = $"mgmt-iso-{Guid.NewGuid():N}";

        using var response = await _client.PostAsync(
            Uri($"/orchestrators/ResearchOrchestrator/{id}"), new StringContent("""{"question": "  What is a durable timer?  ", "approvalTimeout": "PT2H"}""", Encoding.UTF8, "application/json"));
        var status = await HostApi.WaitForPhaseAsync(_client, id, "AwaitingApproval");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("What is a durable timer?", status["input"]!["question"]!.GetValue<string>());
        Assert.Equal("02:00:00", status["input"]!["approvalTimeout"]!.GetValue<string>());
    }

    [Fact]
    public async Task Healthz_BackendUp_Answers200Healthy()
    {
        var body = await _client.GetFromJsonAsync<JsonObject>(new Uri("/healthz", UriKind.Relative));

        Assert.Equal("Healthy", body!["status"]!.GetValue<string>());
        Assert.StartsWith("HostTests", body["taskHub"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("AzureStorage", body["backend"]!.GetValue<string>());
    }

    private static Uri Uri(string path) => new($"{HostApi.Management}{path}", UriKind.Relative);

    private async Task<string> AwaitingAsync()
    {
        var id = await HostApi.StartAsync(_client);
        await HostApi.WaitForPhaseAsync(_client, id, "AwaitingApproval");
        return id;
    }
}
