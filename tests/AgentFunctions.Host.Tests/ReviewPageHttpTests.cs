using System.Net;
using System.Text.RegularExpressions;

namespace AgentFunctions.Host.Tests;

/// <summary>The review site's forms and tokens over plain HTTP against the running host.</summary>
[Collection(HostCollection.Name)]
public sealed partial class ReviewPageHttpTests(HostFixture fixture)
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task DecisionForm_TokenOfAnotherRun_Answers403AndRaisesNothing()
    {
        var (victim, _) = await AwaitingWithFormTokenAsync();
        var (_, otherToken) = await AwaitingWithFormTokenAsync();

        using var response = await PostDecisionAsync(victim, otherToken, "approve");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, await HostApi.CountEventsRaisedAsync(_client, victim));
    }

    [Fact]
    public async Task DecisionForm_ViewTokenInsteadOfFormToken_Answers403()
    {
        var id = await HostApi.StartAsync(_client);
        await HostApi.WaitForPhaseAsync(_client, id, "AwaitingApproval");
        var viewToken = Uri.UnescapeDataString(ReviewPath().Match(await RunsPageAsync()).Groups["token"].Value);

        using var response = await PostDecisionAsync(id, viewToken, "approve");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, await HostApi.CountEventsRaisedAsync(_client, id));
    }

    [Fact]
    public async Task DecisionForm_ReviseWithoutComment_Answers400AndRaisesNothing()
    {
        var (id, token) = await AwaitingWithFormTokenAsync();

        using var response = await PostDecisionAsync(id, token, "revise");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("needs a comment", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await HostApi.CountEventsRaisedAsync(_client, id));
    }

    [Fact]
    public async Task DecisionForm_ReviseThenApprove_RunsTwoReviewRounds()
    {
        var (id, token) = await AwaitingWithFormTokenAsync();

        using var revise = await PostDecisionAsync(id, token, "revise", "Cite a second source.");
        Assert.Equal(HttpStatusCode.Redirect, revise.StatusCode);
        await HostApi.WaitForAsync(_client, id, s => HostApi.Phase(s) == "AwaitingApproval" && s["customStatus"]!["revisions"]!.GetValue<int>() == 1, "second review round");
        using var approve = await PostDecisionAsync(id, token, "approve");

        Assert.Equal(HttpStatusCode.Redirect, approve.StatusCode);
        var status = await HostApi.WaitForStatusAsync(_client, id, "Completed");
        Assert.Equal(1, status["output"]!["revisions"]!.GetValue<int>());
        Assert.NotEmpty(status["output"]!["report"]!["citations"]!.AsArray());
        Assert.Equal(2, await HostApi.CountEventsRaisedAsync(_client, id));
    }

    [Fact]
    public async Task DecisionForm_SecondDecisionOnFinishedRun_Answers410()
    {
        var (id, token) = await AwaitingWithFormTokenAsync();
        using var first = await PostDecisionAsync(id, token, "reject");
        await HostApi.WaitForStatusAsync(_client, id, "Completed");

        using var second = await PostDecisionAsync(id, token, "approve");

        Assert.Equal(HttpStatusCode.Gone, second.StatusCode);
        Assert.Equal(1, await HostApi.CountEventsRaisedAsync(_client, id));
    }

    [Fact]
    public async Task RunsPage_SubmitForm_StartsRunAndRedirectsToItsReviewPage()
    {
        var question = $"Form question {Guid.NewGuid():N}?";
        var submitToken = FormToken().Match(await RunsPageAsync()).Groups[1].Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = submitToken, ["question"] = question, ["requireApproval"] = "true" });

        using var response = await NoRedirects().PostAsync(new Uri(fixture.Host.BaseAddress, "/"), form);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/review/", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        using var page = await _client.GetAsync(response.Headers.Location);
        Assert.Contains(WebUtility.HtmlEncode(question), await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsPage_SubmitWithoutToken_Answers403()
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["question"] = "cross-site?" });

        using var response = await _client.PostAsync(new Uri("/", UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task OpsPage_AfterARun_ShowsPerAgentFiguresAndBreakerState()
    {
        var id = await HostApi.StartAsync(_client);
        await HostApi.WaitForPhaseAsync(_client, id, "AwaitingApproval");

        using var response = await _client.GetAsync(new Uri("/ops", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("planner", html, StringComparison.Ordinal);
        Assert.Contains("synthesizer", html, StringComparison.Ordinal);
        Assert.Contains("Closed", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    private async Task<string> RunsPageAsync() => await _client.GetStringAsync(new Uri("/", UriKind.Relative));

    private async Task<(string Id, string FormToken)> AwaitingWithFormTokenAsync()
    {
        var id = await HostApi.StartAsync(_client);
        await HostApi.WaitForPhaseAsync(_client, id, "AwaitingApproval");
        var link = ReviewPath().Matches(await RunsPageAsync()).Single(m => m.Groups["id"].Value == id).Value.Replace("&amp;", "&", StringComparison.Ordinal);
        var page = await _client.GetStringAsync(new Uri(link, UriKind.Relative));
        return (id, FormToken().Match(page).Groups[1].Value);
    }

    private HttpClient NoRedirects() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Host.BaseAddress };

    private async Task<HttpResponseMessage> PostDecisionAsync(string id, string token, string decision, string? comment = null)
    {
        using var client = NoRedirects();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["decision"] = decision, ["reviewer"] = "Form", ["comment"] = comment ?? string.Empty });
        return await client.PostAsync(new Uri($"/review/{id}", UriKind.Relative), form);
    }

    [GeneratedRegex("/review/(?<id>[0-9a-f]+)\\?token=(?<token>[^\"&]+)")]
    private static partial Regex ReviewPath();

    [GeneratedRegex("name=\"token\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();
}
