using System.Net;
using System.Text.Json.Nodes;

namespace AgentFunctions.Host.Tests;

[Collection(HostCollection.Name)]
public sealed class ApprovalsWebhookTests(HostFixture fixture)
{
    private static readonly object Approve = new { decision = "approve", reviewer = "Ada", comment = "Looks right." };
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Deliver_SignedApproval_CompletesRunApproved()
    {
        var id = await AwaitingRunAsync();

        using var response = await HostApi.DeliverAsync(_client, id, Approve);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var status = await HostApi.WaitForStatusAsync(_client, id, "Completed");
        Assert.Equal("Approved", status["output"]!["outcome"]!.GetValue<string>());
        Assert.Equal("Ada", status["output"]!["review"]!["reviewer"]!.GetValue<string>());
        Assert.Equal(1, await HostApi.CountEventsRaisedAsync(_client, id));
    }

    [Fact]
    public async Task Deliver_SignedWithRotatedOutSecret_IsAccepted()
    {
        var id = await AwaitingRunAsync();

        using var response = await HostApi.DeliverAsync(_client, id, new { decision = "reject", reviewer = "Bo" }, secret: HostProcess.OldWebhookSecret);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var status = await HostApi.WaitForStatusAsync(_client, id, "Completed");
        Assert.Equal("Rejected", status["output"]!["outcome"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deliver_SeveralV1OneValid_IsAccepted()
    {
        var id = await AwaitingRunAsync();
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(Approve);
        var header = $"t={t},v1={new string('0', 64)},v1={Approvals.WebhookSignature.Compute(HostProcess.WebhookSecret, t, body)}";

        using var response = await HostApi.DeliverAsync(_client, id, Approve, signatureOverride: header);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("wrong-secret", 0)]
    [InlineData(HostProcess.WebhookSecret, -301)]
    [InlineData(HostProcess.WebhookSecret, 301)]
    public async Task Deliver_BadOrStaleSignature_Answers401AndRaisesNothing(string secret, int skewSeconds)
    {
        var id = await AwaitingRunAsync();

        using var response = await HostApi.DeliverAsync(_client, id, Approve, secret: secret, timestamp: DateTimeOffset.UtcNow.AddSeconds(skewSeconds));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(0, await HostApi.CountEventsRaisedAsync(_client, id));
    }

    [Theory]
    [InlineData("")]
    [InlineData("t=123")]
    [InlineData("v1=abc")]
    public async Task Deliver_MalformedSignatureHeader_Answers401(string header)
    {
        var id = await AwaitingRunAsync();

        using var response = await HostApi.DeliverAsync(_client, id, Approve, signatureOverride: header);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, await HostApi.CountEventsRaisedAsync(_client, id));
    }

    [Fact]
    public async Task Deliver_UnknownInstance_Answers404()
    {
        using var response = await HostApi.DeliverAsync(_client, "no-such-instance", Approve);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Deliver_FinishedInstance_Answers410AndRaisesNothing()
    {
        var id = await HostApi.StartAsync(_client, requireApproval: false);
        await HostApi.WaitForStatusAsync(_client, id, "Completed");

        using var response = await HostApi.DeliverAsync(_client, id, Approve);

        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        Assert.Equal(0, await HostApi.CountEventsRaisedAsync(_client, id));
    }

    [Theory]
    [InlineData("{\"decision\": \"maybe\"}", "decision")]
    [InlineData("{\"reviewer\": \"x\"}", "decision")]
    [InlineData("{\"decision\": \"revise\", \"reviewer\": \"x\"}", "comment")]
    [InlineData("{\"decision\": \"approve\"}", "reviewer")]
    [InlineData("{\"decision\": \"approve\", \"reviewer\": \"  \"}", "reviewer")]
    [InlineData("[]", "body")]
    [InlineData("not json", "body")]
    public async Task Deliver_BadBody_Answers400NamingFieldAndRaisesNothing(string body, string field)
    {
        var id = await AwaitingRunAsync();

        using var response = await HostApi.DeliverAsync(_client, id, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.NotNull(problem["errors"]![field]);
        Assert.Equal(0, await HostApi.CountEventsRaisedAsync(_client, id));
    }

    [Fact]
    public async Task Deliver_MissingDeliveryId_Answers400()
    {
        var id = await AwaitingRunAsync();
        var bytes = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(Approve);
        using var message = new HttpRequestMessage(HttpMethod.Post, $"/api/approvals/{id}") { Content = new ByteArrayContent(bytes) };
        message.Headers.TryAddWithoutValidation(Approvals.WebhookSignature.SignatureHeader, Approvals.WebhookSignature.CreateHeader(HostProcess.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), bytes));

        using var response = await _client.SendAsync(message);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await HostApi.CountEventsRaisedAsync(_client, id));
    }

    [Fact]
    public async Task Deliver_ReplayedDeliveryId_AnswersAsFirstAndRaisesOnce()
    {
        var id = await AwaitingRunAsync();
        var delivery = Guid.NewGuid().ToString();

        using var first = await HostApi.DeliverAsync(_client, id, new { decision = "revise", reviewer = "Ada", comment = "Add a source." }, delivery);
        var firstBody = await first.Content.ReadAsStringAsync();
        using var replay = await HostApi.DeliverAsync(_client, id, new { decision = "revise", reviewer = "Ada", comment = "Add a source." }, delivery);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal(firstBody, await replay.Content.ReadAsStringAsync());

        // The revision comes back for review; the replay (even once the run awaits again) raises nothing.
        await HostApi.WaitForAsync(_client, id, s => HostApi.Phase(s) == "AwaitingApproval" && s["customStatus"]!["revisions"]!.GetValue<int>() == 1, "the revised draft");
        using var lateReplay = await HostApi.DeliverAsync(_client, id, new { decision = "revise", reviewer = "Ada", comment = "Add a source." }, delivery);
        Assert.Equal(HttpStatusCode.Accepted, lateReplay.StatusCode);
        Assert.Equal(firstBody, await lateReplay.Content.ReadAsStringAsync());
        Assert.Equal(1, await HostApi.CountEventsRaisedAsync(_client, id));
    }

    [Fact]
    public async Task Deliver_ConcurrentReplaysOfOneDelivery_RaiseOnce()
    {
        var id = await AwaitingRunAsync();
        var delivery = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => HostApi.DeliverAsync(_client, id, Approve, delivery)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        await HostApi.WaitForStatusAsync(_client, id, "Completed");
        Assert.Equal(1, await HostApi.CountEventsRaisedAsync(_client, id));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Deliver_ConflictingSecondDecision_Answers409AndRaisesNothing()
    {
        var id = await AwaitingRunAsync(approvalTimeout: "PT1H");

        // Suspended, the run cannot act on the first decision, so it still reports AwaitingApproval: only the
        // host's record of the accepted decision can refuse the second.
        using (var suspend = await _client.PostAsync(new Uri($"{HostApi.Management}/instances/{id}/suspend", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.Accepted, suspend.StatusCode);
        }

        await HostApi.WaitForStatusAsync(_client, id, "Suspended");
        using var first = await HostApi.DeliverAsync(_client, id, Approve);
        using var second = await HostApi.DeliverAsync(_client, id, new { decision = "reject", reviewer = "Mallory" });

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        using (var resume = await _client.PostAsync(new Uri($"{HostApi.Management}/instances/{id}/resume", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.Accepted, resume.StatusCode);
        }

        var status = await HostApi.WaitForStatusAsync(_client, id, "Completed");
        Assert.Equal("Approved", status["output"]!["outcome"]!.GetValue<string>());
        Assert.Equal(1, await HostApi.CountEventsRaisedAsync(_client, id));
    }

    [Fact]
    public async Task Deliver_RunNotYetAwaiting_Answers409AndRaisesNothing()
    {
        // A host whose model endpoint refuses connections: the planner's calls fail as "model unavailable" and
        // the run waits in Planning on a durable retry timer.
        var values = HostProcess.DefaultValues();
        values["AZURE_OPENAI_ENDPOINT"] = "http://127.0.0.1:9/";
        values["AZURE_OPENAI_DEPLOYMENT"] = "unreachable";
        values["AZURE_OPENAI_API_KEY"] = "test-key";
        await using var slow = await HostProcess.StartAsync(values);
        var id = await HostApi.StartAsync(slow.Client);
        await HostApi.WaitForPhaseAsync(slow.Client, id, "Planning");

        using var response = await HostApi.DeliverAsync(slow.Client, id, Approve);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Planning", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await HostApi.CountEventsRaisedAsync(slow.Client, id));
    }

    private async Task<string> AwaitingRunAsync(string approvalTimeout = "PT1H")
    {
        var (response, body) = await HostApi.SubmitAsync(_client, new { question = "Should this be approved?", approvalTimeout });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = body["id"]!.GetValue<string>();
        await HostApi.WaitForPhaseAsync(_client, id, "AwaitingApproval");
        return id;
    }
}
