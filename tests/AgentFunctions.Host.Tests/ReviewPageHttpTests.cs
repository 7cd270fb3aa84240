using System.Net;
using System.Net.Http.Json;
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
    public async Task OpsPage_AfterARun_ShowsStatedWindowNonZeroLatencyRunCountsAndChart()
    {
        var id = await HostApi.StartAsync(_client);
        await HostApi.WaitForPhaseAsync(_client, id, "AwaitingApproval");

        using var response = await _client.GetAsync(new Uri("/ops", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<th scope=\"row\">planner</th>", html, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">synthesizer</th>", html, StringComparison.Ordinal);
        Assert.Contains("Calls made in the last 1 h by this host process (up to the latest 512 per agent)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Over the last", html, StringComparison.Ordinal);
        var p50 = double.Parse(P50Cell().Match(html).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(p50 > 0, $"p50 of the planner reads {p50} ms");
        Assert.Matches("<tr><td>Awaiting approval</td><td>—</td><td class=\"num\">[1-9][0-9]*</td></tr>", html);
        Assert.Matches("<div class=\"figure\" id=\"fig-queue\"><span>Batch queue</span><strong>[0-9]+</strong>", html);
        Assert.Contains("<svg id=\"runs-chart\"", html, StringComparison.Ordinal);
        Assert.Contains("per 1,000 tokens, input and output alike", html, StringComparison.Ordinal);
        Assert.Contains("<td>Closed</td>", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsPage_Filters_SelectAwaitingAndFinishedRunsWithOutcomeBadge()
    {
        var awaiting = await HostApi.StartAsync(_client);
        var unreviewed = await HostApi.StartAsync(_client, requireApproval: false);
        await HostApi.WaitForPhaseAsync(_client, awaiting, "AwaitingApproval");
        await HostApi.WaitForStatusAsync(_client, unreviewed, "Completed");

        var mine = await _client.GetStringAsync(new Uri("/?awaiting=1", UriKind.Relative));
        var finished = await _client.GetStringAsync(new Uri("/?status=Completed&outcome=NotReviewed", UriKind.Relative));

        Assert.Contains($">{awaiting}</a>", mine, StringComparison.Ordinal);
        Assert.DoesNotContain($">{unreviewed}</a>", mine, StringComparison.Ordinal);
        Assert.Contains("<input type=\"checkbox\" name=\"awaiting\" value=\"1\" checked>", mine, StringComparison.Ordinal);
        Assert.Contains($">{unreviewed}</a>", finished, StringComparison.Ordinal);
        Assert.DoesNotContain($">{awaiting}</a>", finished, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge outcome b-notreviewed\">Not reviewed</span>", finished, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsPage_UnknownStatusFilter_Answers400NamingIt()
    {
        using var response = await _client.GetAsync(new Uri("/?status=Sleeping", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("status 'Sleeping' is not one of", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DecisionForm_EmptyReviewer_ShowsErrorAndRaisesNothing()
    {
        var (id, token) = await AwaitingWithFormTokenAsync();

        using var response = await PostDecisionAsync(id, token, "approve", reviewer: " ");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("reviewer is required", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await HostApi.CountEventsRaisedAsync(_client, id));
    }

    [Fact]
    public async Task ReviewPage_AfterARevision_ShowsDeadlineDraftNumberEarlierCommentAndWhoDecided()
    {
        var (id, token) = await AwaitingWithFormTokenAsync();
        using var revise = await PostDecisionAsync(id, token, "revise", "Cite a second source.", reviewer: "Ada");
        await HostApi.WaitForAsync(_client, id, s => HostApi.Phase(s) == "AwaitingApproval" && s["customStatus"]!["revisions"]!.GetValue<int>() == 1, "second review round");

        var second = await ReviewPageAsync(id);
        using var approve = await PostDecisionAsync(id, token, "approve", "Better now.", reviewer: "Grace");
        await HostApi.WaitForStatusAsync(_client, id, "Completed");
        var final = await ReviewPageAsync(id);

        Assert.Matches("<dd id=\"decide-by\">\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\((2\\d|1\\d) h \\d+ min left\\)</dd>", second);
        Assert.Contains("<dd id=\"revision\">Draft 2, after 1 revision; 2 revisions left</dd>", second, StringComparison.Ordinal);
        Assert.Contains("<strong>Ada</strong> asked for a revision", second, StringComparison.Ordinal);
        Assert.Contains("<blockquote>Cite a second source.</blockquote>", second, StringComparison.Ordinal);
        Assert.Matches("<dd id=\"decided-by\">Grace: approve, [^<]+ UTC<blockquote id=\"decision-comment\">Better now.</blockquote></dd>", final);
        Assert.Contains("<strong>Ada</strong> asked for a revision", final, StringComparison.Ordinal);
        Assert.Contains("<span id=\"run-status\">Completed</span>", final, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReviewPage_BudgetExceededRun_ShowsTheBudgetNote()
    {
        // The smallest budget the API accepts cannot pay for planning: the run ends at once, BudgetExceeded.
        var (response, body) = await HostApi.SubmitAsync(_client, new { question = "What limits a token budget?", tokenBudget = 1000 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = body["id"]!.GetValue<string>();
        await HostApi.WaitForStatusAsync(_client, id, "Completed");

        var page = await ReviewPageAsync(id);

        Assert.Contains("<dd id=\"run-outcome\">BudgetExceeded</dd>", page, StringComparison.Ordinal);
        Assert.Contains("<strong>Token budget exceeded.</strong> Token budget reached before planning", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReviewPage_FailedRun_ShowsTheFailureReason()
    {
        // Research input is checked before a run starts, so a batch without questions is what fails here: the
        // orchestrator refuses it. Its review link is signed as the host signs one (the runs page lists research only).
        var id = "fail" + Guid.NewGuid().ToString("N")[..12];
        using (var started = await _client.PostAsJsonAsync(
            new Uri($"{HostApi.Management}/orchestrators/BatchOrchestrator/{id}", UriKind.Relative), new { batchId = "no-questions" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        }

        await HostApi.WaitForStatusAsync(_client, id, "Failed");
        var signer = new AgentFunctions.Host.Review.ReviewLinkSigner(
            System.Text.Encoding.UTF8.GetBytes(HostProcess.LinkSecret), TimeSpan.FromHours(1), TimeProvider.System);
        var link = AgentFunctions.Host.Review.ReviewLinks.ReviewPath(id, signer.Sign(AgentFunctions.Host.Review.LinkPurpose.View, id));

        var page = await _client.GetStringAsync(new Uri(link, UriKind.Relative));

        Assert.Contains("<p class=\"status error\" id=\"failure-reason\"><strong>The run failed.</strong>", page, StringComparison.Ordinal);
        Assert.Contains("A batch needs a batchId and a questions list.", page, StringComparison.Ordinal);
        Assert.DoesNotContain("No draft yet", page, StringComparison.Ordinal);
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

    /// <summary>The run's review page, opened through the signed link the runs page lists.</summary>
    private async Task<string> ReviewPageAsync(string id)
    {
        var link = ReviewPath().Matches(await RunsPageAsync()).Single(m => m.Groups["id"].Value == id).Value.Replace("&amp;", "&", StringComparison.Ordinal);
        return await _client.GetStringAsync(new Uri(link, UriKind.Relative));
    }

    private async Task StartWithIdAsync(string id, object? input = null)
    {
        using var response = await _client.PostAsJsonAsync(
            new Uri($"{HostApi.Management}/orchestrators/ResearchOrchestrator/{id}", UriKind.Relative), input ?? new { question = $"Ordering question {id}?", requireApproval = true });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private HttpClient NoRedirects() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Host.BaseAddress };

    private async Task<HttpResponseMessage> PostDecisionAsync(string id, string token, string decision, string? comment = null, string reviewer = "Form")
    {
        using var client = NoRedirects();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["decision"] = decision, ["reviewer"] = reviewer, ["comment"] = comment ?? string.Empty });
        return await client.PostAsync(new Uri($"/review/{id}", UriKind.Relative), form);
    }

    [GeneratedRegex("/review/(?<id>[0-9a-z]+)\\?token=(?<token>[^\"&]+)")]
    private static partial Regex ReviewPath();

    [GeneratedRegex("<th scope=\"row\">planner</th><td class=\"num\" data-label=\"Calls\">\\d+</td><td class=\"num\" data-label=\"p50 \\(ms\\)\">([0-9.]+)</td>")]
    private static partial Regex P50Cell();

    [GeneratedRegex("name=\"token\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();
}
