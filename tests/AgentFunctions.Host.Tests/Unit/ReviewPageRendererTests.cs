using AgentFunctions.Host.Durable;
using Microsoft.DurableTask.Client;
using System.Text.Json;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Operations;
using AgentFunctions.Host.Review;
using AgentFunctions.Research.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace AgentFunctions.Host.Tests.Unit;

public sealed class ReviewPageRendererTests
{
    private const string Script = "<script>alert(1)</script>";
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Review_HostileSourceText_IsEncodedNeverMarkup()
    {
        var run = Run(
            title: $"Title {Script}",
            summary: $"Claim [1] and {Script} [7]",
            citations: [new CitationView(1, $"Cite {Script}", "javascript:alert(1)", $"\"quote\" {Script}")],
            sources: [new SourceView("s1", $"Src {Script}", "https://example.org/?a=1&b=\"2\"", false, $"Reason {Script}")]) with
        {
            Conflicts = [new ConflictView($"Claim {Script}", ["s1", $"id {Script}"])],
            RevisionRequests = [new DecisionView("revise", $"Rev {Script}", $"Comment {Script}", Now)],
            FailureReason = $"Boom {Script}",
        };

        var html = ReviewPageRenderer.Review(run, Now, "token", null, noticeIsError: false);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"#citation-1\">[1]</a>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("#citation-7", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://example.org/?a=1&amp;b=%222%22\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Review_AwaitingApproval_RendersDecisionFormWithRequiredReviewerAndOneRowOfButtons()
    {
        var html = ReviewPageRenderer.Review(Run(), Now, "decide-token", null, noticeIsError: false);

        Assert.Contains("<label for=\"comment\">", html, StringComparison.Ordinal);
        Assert.Contains("name=\"token\" value=\"decide-token\"", html, StringComparison.Ordinal);
        Assert.Contains("<input type=\"text\" id=\"reviewer\" name=\"reviewer\" required", html, StringComparison.Ordinal);
        Assert.Contains(
            "<div class=\"decision-buttons\"><button class=\"primary\" type=\"submit\" name=\"decision\" value=\"approve\">Approve</button><button type=\"submit\" name=\"decision\" value=\"revise\">Revise</button><button type=\"submit\" name=\"decision\" value=\"reject\">Reject</button></div>",
            html,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Review_NoDecideToken_RendersNoForm()
    {
        var html = ReviewPageRenderer.Review(Run(), Now, null, "Your decision (approve) was recorded.", noticeIsError: false);

        Assert.DoesNotContain("<form", html, StringComparison.Ordinal);
        Assert.Contains("role=\"status\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Review_AwaitingWithDeadlineAndEarlierRounds_ShowsTimeLeftRevisionAndComments()
    {
        var run = Run() with
        {
            DecideBy = Now.AddHours(5).AddMinutes(12),
            Revisions = 1,
            RevisionsLeft = 2,
            RevisionRequests = [new DecisionView("revise", "Ada", "Cite a second source.", Now.AddHours(-1))],
        };

        var html = ReviewPageRenderer.Review(run, Now, "t", null, noticeIsError: false);

        Assert.Contains("<dd id=\"decide-by\">2026-05-01 17:12:00 UTC (5 h 12 min left)</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"revision\">Draft 2, after 1 revision; 2 revisions left</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<li><strong>Ada</strong> asked for a revision at 2026-05-01 11:00:00 UTC:<blockquote>Cite a second source.</blockquote></li>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Review_DecidedRun_ShowsWhoDecidedAndTheirComment()
    {
        var run = Run() with
        {
            Status = RunStatus.Completed,
            Phase = "Publishing",
            Outcome = "Approved",
            Decision = new DecisionView("approve", "Grace", "Well sourced.", Now),
        };

        var html = ReviewPageRenderer.Review(run, Now, "t", null, noticeIsError: false);

        Assert.Contains("<dd id=\"decided-by\">Grace: approve, 2026-05-01 12:00:00 UTC<blockquote id=\"decision-comment\">Well sourced.</blockquote></dd>", html, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"run-outcome\">Approved</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<span id=\"run-status\">Completed</span>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<form", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Review_FailedRun_ShowsTheFailureReasonNotJustNoDraft()
    {
        var run = Run(title: null, summary: null, citations: []) with { Status = RunStatus.Failed, Phase = "Planning", FailureReason = "The model answered 500 three times." };

        var html = ReviewPageRenderer.Review(run, Now, null, null, noticeIsError: false);

        Assert.Contains("<p class=\"status error\" id=\"failure-reason\"><strong>The run failed.</strong> The model answered 500 three times.</p>", html, StringComparison.Ordinal);
        Assert.Contains("No report: the run failed before writing one.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("No draft yet", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Review_BudgetExceeded_ShowsTheBudgetNote()
    {
        var run = Run(title: null, summary: null, citations: []) with
        {
            Status = RunStatus.Completed,
            Outcome = "BudgetExceeded",
            Note = "Token budget reached before planning: spent 0, next step estimated at 1300, budget 50.",
        };

        var html = ReviewPageRenderer.Review(run, Now, null, null, noticeIsError: false);

        Assert.Contains("id=\"budget-note\"><strong>Token budget exceeded.</strong> Token budget reached before planning: spent 0, next step estimated at 1300, budget 50.</p>", html, StringComparison.Ordinal);
        Assert.Contains("No report was written.", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Review_UnansweredWithConflicts_ShowsGapNoteFirstAndConflictsWithSourceTitles()
    {
        var run = Run(sources: [new SourceView("s1", "Alpha report", "https://a.example", true, "ok"), new SourceView("s2", "Beta study", "https://b.example", true, "ok")]) with
        {
            Answered = false,
            Conflicts = [new ConflictView("Whether replay is deterministic", ["s1", "s2"])],
        };

        var html = ReviewPageRenderer.Review(run, Now, "t", null, noticeIsError: false);

        Assert.StartsWith("<p class=\"status warn\" id=\"gap-note\"><strong>Not answered.</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<li>Whether replay is deterministic <span class=\"muted\">(Alpha report; Beta study)</span></li>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Review_AnsweredWithoutConflicts_ShowsNeitherNote()
    {
        var html = ReviewPageRenderer.Review(Run(), Now, "t", null, noticeIsError: false);

        Assert.DoesNotContain("gap-note", html, StringComparison.Ordinal);
        Assert.DoesNotContain("conflicts", html, StringComparison.Ordinal);
    }

    [Fact]
    public void From_StatusAndOutputJson_ReadsEveryFieldThePagesShow()
    {
        var status = JsonSerializer.Serialize(new
        {
            phase = "Publishing",
            usage = new { inputTokens = 1200, outputTokens = 300, llmCalls = 6 },
            sourceCounts = new { found = 9, validated = 5, accepted = 4 },
            revisions = 1,
            revisionsLeft = 2,
            decideBy = "2026-05-01T17:00:00",
            outcome = "Approved",
            note = "The callback failed: 503",
            revisionRequests = new[] { new { decision = "revise", reviewer = "Ada", comment = "More sources.", decidedAt = "2026-05-01T10:00:00+00:00" } },
        });
        var output = JsonSerializer.Serialize(new
        {
            question = "Q?",
            outcome = "Approved",
            report = new { title = "T", summary = "S [1]", citations = new[] { new { n = 1, title = "C", url = "https://c.example", quote = "q" } }, conflicts = new[] { new { claim = "X", sources = new[] { "s1" } } }, answered = false },
            sources = new[] { new { id = "s1", title = "One", url = "https://one.example", accepted = true, reason = "r" } },
            review = new { decision = "approve", reviewer = "Grace", comment = "ok", decidedAt = "2026-05-01T11:00:00+00:00" },
            usage = new { inputTokens = 1500, outputTokens = 400, llmCalls = 7 },
            revisions = 1,
        });

        var run = RunView.From(new RunRecord("id-1", "Completed", Now, Now.AddMinutes(3), "{\"question\":\"Q?\"}", output, status, null));

        Assert.Equal((RunStatus.Completed, "Approved", "T", 1, 1, false, 9, 4), (run.Status, run.Outcome, run.Title, run.Citations.Count, run.Conflicts.Count, run.Answered, run.SourcesFound, run.SourcesAccepted));
        Assert.Equal(new UsageView(1500, 400, 7), run.Usage);
        Assert.Equal(("Grace", "ok"), (run.Decision!.Reviewer, run.Decision.Comment));
        Assert.Equal(("Ada", "More sources."), (run.RevisionRequests.Single().Reviewer, run.RevisionRequests.Single().Comment));
        Assert.Equal(new DateTimeOffset(2026, 5, 1, 17, 0, 0, TimeSpan.Zero), run.DecideBy);
        Assert.Equal(("The callback failed: 503", 1, Now.AddMinutes(3)), (run.Note, run.Revisions, run.LastUpdatedAt));
        Assert.Null(run.FailureReason);
    }

    [Fact]
    public void From_FailedRecord_CarriesTheFailureMessage()
    {
        var run = RunView.From(new RunRecord("id-2", "Failed", Now, Now, null, null, "{\"phase\":\"Searching\"}", "Search index unreachable."));

        Assert.Equal((RunStatus.Failed, "Search index unreachable.", true), (run.Status, run.FailureReason, run.IsTerminal));
    }

    [Theory]
    [InlineData("\"stuck on the model\"", "Terminated by an operator: stuck on the model")]
    [InlineData(null, "Terminated by an operator; no reason was given.")]
    public void From_TerminatedRecord_NotesTheReason(string? output, string expected)
    {
        var run = RunView.From(new RunRecord("id-3", "Terminated", Now, Now, null, output, "{\"phase\":\"Searching\"}", null));

        Assert.Equal((RunStatus.Terminated, expected), (run.Status, run.Note));
        Assert.Contains($"<p class=\"status\" id=\"run-note\">{expected}</p>", ReviewPageRenderer.Review(run, Now, null, null, noticeIsError: false), StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_MixedRuns_ShowOutcomeBadgesProgressAndTimeLeft()
    {
        RunView[] runs =
        [
            Run(id: "working") with { Status = RunStatus.Running, Phase = "Searching", SourcesFound = 12, SourcesAccepted = 5, CreatedAt = Now.AddSeconds(-42) },
            Run(id: "waiting") with { DecideBy = Now.AddHours(23).AddMinutes(59) },
            Run(id: "done") with { Status = RunStatus.Completed, Outcome = "TimedOut" },
        ];
        var page = RunFilter.None.Apply(new RecentRuns(runs, Now.AddDays(-7), Truncated: false));

        var html = ReviewPageRenderer.Runs(page, RunFilter.None, Now, r => $"/review/{r.InstanceId}", "submit", null, null, live: true);

        Assert.Contains("<span class=\"badge b-running\">Running</span><span class=\"progress\">Searching · 12 sources found, 5 accepted · 42 s elapsed</span>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge b-awaiting\">Awaiting approval</span><span class=\"progress\">23 h 59 min left to decide</span>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge b-completed\">Completed</span><span class=\"badge outcome b-timedout\">Timed out</span>", html, StringComparison.Ordinal);
        Assert.Contains("This page refreshes every 5 s while a run is working.", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_LongQuestion_IsCutForTheListAndWrapsInsideItsCell()
    {
        var question = new string('x', 1500);
        var page = RunFilter.None.Apply(new RecentRuns([Run() with { Question = question }], Now.AddDays(-7), false));

        var html = ReviewPageRenderer.Runs(page, RunFilter.None, Now, r => "/r", "submit", null, null, live: false);

        Assert.DoesNotContain(new string('x', ReviewPageRenderer.QuestionPreviewLength), html, StringComparison.Ordinal);
        Assert.Contains(new string('x', ReviewPageRenderer.QuestionPreviewLength - 1) + "\u2026", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"question\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Filter_StatusOutcomeAwaitingAndPage_SelectsAndPagesNewestFirst()
    {
        var runs = Enumerable.Range(0, 45).Select(i => Run(id: $"r{i:00}") with { CreatedAt = Now.AddMinutes(-i) }).ToList();
        runs.Add(Run(id: "rejected") with { Status = RunStatus.Completed, Outcome = "Rejected" });
        var source = new RecentRuns(runs, Now.AddDays(-7), false);

        var awaiting = RunFilter.From(Query(("awaiting", "1"), ("page", "3")), out var errors1).Apply(source);
        var rejected = RunFilter.From(Query(("status", "completed"), ("outcome", "rejected")), out var errors2).Apply(source);
        var bad = RunFilter.From(Query(("status", "Sleeping"), ("outcome", "3"), ("page", "0")), out var errors3);

        Assert.Equal((3, 3, 45, 5), (awaiting.Page, awaiting.PageCount, awaiting.Matched, awaiting.Runs.Count));
        Assert.Equal(["r40", "r41", "r42", "r43", "r44"], awaiting.Runs.Select(r => r.InstanceId));
        Assert.Equal("rejected", Assert.Single(rejected.Runs).InstanceId);
        Assert.Empty(errors1.Concat(errors2));
        Assert.Equal(3, errors3.Count);
        Assert.Equal(RunFilter.None, bad);
        Assert.Equal("/?status=Completed&outcome=Rejected&page=2&code=k%26y", new RunFilter(RunStatus.Completed, ResearchOutcome.Rejected, false, 1).Query(2, "k&y"));
    }

    [Fact]
    public void Operations_Snapshot_RendersStatedWindowSubMillisecondPercentilesAndBreakers()
    {
        var snapshot = new OperationsSnapshot(
            Now,
            TimeSpan.FromHours(1),
            512,
            [new AgentOperations("Synthesizer", 24, TimeSpan.FromMilliseconds(0.42), TimeSpan.FromMilliseconds(48.24), TimeSpan.FromMilliseconds(900), 5120, 0.125)],
            [new BreakerStatus("azure-openai", "Open", null)])
        {
            Calls = [new AgentCall("Synthesizer", Now.AddMinutes(-2), TimeSpan.FromMilliseconds(30))],
        };

        var html = ReviewPageRenderer.Operations(View(snapshot, []));

        Assert.Contains("Calls made in the last 1 h by this host process (up to the latest 512 per agent); percentiles by nearest rank.", html, StringComparison.Ordinal);
        Assert.Contains("data-label=\"p50 (ms)\">0.42</td><td class=\"num\" data-label=\"p95 (ms)\">48.2</td><td class=\"num\" data-label=\"p99 (ms)\">900</td>", html, StringComparison.Ordinal);
        Assert.Contains("data-label=\"Failure rate\">12.5 %</td>", html, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">azure-openai</th><td>Open</td>", html, StringComparison.Ordinal);
        Assert.Contains("<svg id=\"latency-chart\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("runs,", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Operations_Runs_CountsByStatusAndOutcomeOldestWaitQueueAndCost()
    {
        RunView[] runs =
        [
            Run(id: "a") with { LastUpdatedAt = Now.AddMinutes(-30), CreatedAt = Now.AddMinutes(-31) },
            Run(id: "b") with { LastUpdatedAt = Now.AddMinutes(-5), CreatedAt = Now.AddMinutes(-6) },
            Run(id: "c") with { Status = RunStatus.Completed, Outcome = "Approved", Usage = new UsageView(1500, 500, 4), CreatedAt = Now.AddMinutes(-1) },
            Run(id: "d") with { Status = RunStatus.Completed, Outcome = "Approved", Usage = new UsageView(3000, 1000, 6), CreatedAt = Now.AddHours(-3) },
        ];

        var html = ReviewPageRenderer.Operations(View(null, runs) with { Queue = new BatchQueueDepth("research-batch", 7, 2), Costs = new OperationsSettings(0.01m, "EUR") });

        Assert.Contains("<tr><td>Completed</td><td>Approved</td><td class=\"num\">2</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>Awaiting approval</td><td>—</td><td class=\"num\">2</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<strong>2</strong><span class=\"muted small\">oldest waiting 30 min</span>", html, StringComparison.Ordinal);
        Assert.Contains("<strong>7</strong><span class=\"muted small\">2 poison messages</span>", html, StringComparison.Ordinal);
        Assert.Contains("2 runs used 6,000 tokens (3,000 per run on average), estimated EUR 0.0600 in all.", html, StringComparison.Ordinal);
        Assert.Contains("data-label=\"Estimated cost\">EUR 0.0200</td>", html, StringComparison.Ordinal);
        Assert.Contains("<svg id=\"runs-chart\"", html, StringComparison.Ordinal);
        Assert.Contains("Runs started per minute, last 60 minutes: highest 1, total 3", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0 s")]
    [InlineData(59, "59 s")]
    [InlineData(3600, "1 h")]
    [InlineData(3660, "1 h 1 min")]
    [InlineData(90061, "1 d 1 h")]
    public void Span_Durations_ReadAsAPersonWouldSayThem(int seconds, string expected) =>
        Assert.Equal(expected, ReviewPageRenderer.Span(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(0.25, "0.25")]
    [InlineData(4.567, "4.57")]
    [InlineData(48.24, "48.2")]
    [InlineData(1234.4, "1234")]
    public void Ms_SmallAndLargeLatencies_KeepTheirPrecision(double ms, string expected) =>
        Assert.Equal(expected, ReviewPageRenderer.Ms(TimeSpan.FromMilliseconds(ms)));

    private static OperationsView View(OperationsSnapshot? snapshot, IReadOnlyList<RunView> runs) =>
        new(Now, snapshot, new RecentRuns(runs, Now.AddDays(-7), false), null, "off", OperationsSettings.Default);

    private static QueryCollection Query(params (string Name, string Value)[] pairs) =>
        new(pairs.ToDictionary(p => p.Name, p => new StringValues(p.Value)));

    private static RunView Run(
        string id = "run-1", string? title = "Title", string? summary = "Summary [1]", IReadOnlyList<CitationView>? citations = null, IReadOnlyList<SourceView>? sources = null) =>
        new(id, RunStatus.Running, "AwaitingApproval", "Question?", null, title, summary,
            citations ?? [new CitationView(1, "Cite", "https://example.org", "quote")], sources ?? [], null, Now);
}
