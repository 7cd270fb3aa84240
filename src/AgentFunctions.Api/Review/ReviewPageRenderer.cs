using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AgentFunctions.Host.Durable;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Operations;
using AgentFunctions.Research.Contracts;

namespace AgentFunctions.Host.Review;

/// <summary>What the operations page shows.</summary>
/// <param name="Now">When the page is rendered.</param>
/// <param name="Snapshot">Per-agent figures and breakers; null when no source is registered.</param>
/// <param name="Runs">The recent runs.</param>
/// <param name="Queue">The batch queue's depth, when it could be read.</param>
/// <param name="QueueNote">Why the depth is missing (trigger off, storage unreachable).</param>
/// <param name="Costs">The token price the estimates use.</param>
internal sealed record OperationsView(
    DateTimeOffset Now, OperationsSnapshot? Snapshot, RecentRuns Runs, BatchQueueDepth? Queue, string? QueueNote, OperationsSettings Costs);

/// <summary>Builds the bodies of the runs, review and operations pages; all text is encoded by <see cref="Html"/>.</summary>
internal static partial class ReviewPageRenderer
{
    /// <summary>Longest question shown in the runs list; the review page shows it whole.</summary>
    public const int QuestionPreviewLength = 280;

    private const string Utc = "yyyy-MM-dd HH:mm:ss";

    public static string Runs(RunPage page, RunFilter filter, DateTimeOffset now, Func<RunView, string> link, string submitToken, string? code, string? message, bool live)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(link);
        var body = new StringBuilder();
        if (message is not null)
        {
            body.Append("<p class=\"status error\" role=\"alert\">").Append(Html.E(message)).Append("</p>\n");
        }

        AppendSubmitForm(body, submitToken, code, live);
        body.Append("<section aria-labelledby=\"runs-heading\">\n<h2 id=\"runs-heading\">Runs</h2>\n");
        AppendFilterForm(body, filter, code);
        var source = page.Source;
        body.Append("<p class=\"muted small\" id=\"runs-summary\">")
            .Append(Html.E(Count(page.Matched, "run"))).Append(filter.Any ? " match" : string.Empty)
            .Append(", newest first. Runs created since ").Append(Html.E(Stamp(source.Since))).Append(" UTC (the last ")
            .Append(Html.E(Span(RunsQuery.Window))).Append(").")
            .Append(source.Truncated ? $" More than {RunsQuery.MaxInstancesRead.ToString("N0", CultureInfo.InvariantCulture)} instances were created in that time; only the first {RunsQuery.MaxInstancesRead.ToString("N0", CultureInfo.InvariantCulture)} read are listed." : string.Empty)
            .Append(live ? " This page refreshes every 5 s while a run is working." : string.Empty)
            .Append("</p>\n");
        if (page.Runs.Count == 0)
        {
            body.Append("<p id=\"no-runs\">").Append(filter.Any ? "No run matches this filter." : "No runs yet.").Append("</p>\n</section>");
            return body.ToString();
        }

        body.Append("<table class=\"stack runs\">\n<caption>Newest first</caption>\n")
            .Append("<colgroup><col style=\"width:24%\"><col style=\"width:38%\"><col style=\"width:24%\"><col style=\"width:14%\"></colgroup>\n")
            .Append("<thead><tr><th scope=\"col\">Run</th><th scope=\"col\">Question</th><th scope=\"col\">Status</th><th scope=\"col\">Created (UTC)</th></tr></thead>\n<tbody>\n");
        foreach (var run in page.Runs)
        {
            body.Append("<tr><td data-label=\"Run\"><a class=\"mono\" href=\"").Append(Html.E(link(run))).Append("\">").Append(Html.E(run.InstanceId)).Append("</a></td>")
                .Append("<td data-label=\"Question\"><span class=\"question\" title=\"").Append(Html.E(Preview(run.Question))).Append("\">").Append(Html.E(Preview(run.Question))).Append("</span></td>")
                .Append("<td data-label=\"Status\">");
            AppendBadges(body, run);
            AppendProgress(body, run, now);
            body.Append("</td><td data-label=\"Created\">").Append(Html.E(Stamp(run.CreatedAt))).Append("</td></tr>\n");
        }

        body.Append("</tbody>\n</table>\n");
        if (page.PageCount > 1)
        {
            body.Append("<nav class=\"pager\" aria-label=\"Pages\">")
                .Append(page.Page > 1 ? $"<a rel=\"prev\" href=\"{Html.E(filter.Query(page.Page - 1, code))}\">Newer runs</a>" : "<span></span>")
                .Append("<span>Page ").Append(page.Page.ToString(CultureInfo.InvariantCulture)).Append(" of ").Append(page.PageCount.ToString(CultureInfo.InvariantCulture)).Append("</span>")
                .Append(page.Page < page.PageCount ? $"<a rel=\"next\" href=\"{Html.E(filter.Query(page.Page + 1, code))}\">Older runs</a>" : "<span></span>")
                .Append("</nav>\n");
        }

        body.Append("</section>");
        return body.ToString();
    }

    public static string Review(RunView run, DateTimeOffset now, string? decideToken, string? notice, bool noticeIsError)
    {
        ArgumentNullException.ThrowIfNull(run);
        var body = new StringBuilder();
        if (notice is not null)
        {
            body.Append("<p class=\"status").Append(noticeIsError ? " error\" role=\"alert\">" : "\" role=\"status\">").Append(Html.E(notice)).Append("</p>\n");
        }

        // What a reviewer must know before reading the draft comes first: it does not answer, or it failed.
        if (!run.Answered)
        {
            body.Append("<p class=\"status warn\" id=\"gap-note\"><strong>Not answered.</strong> The accepted sources do not answer this question; the report says what is missing rather than guessing.</p>\n");
        }

        if (run.FailureReason is not null)
        {
            body.Append("<p class=\"status error\" id=\"failure-reason\"><strong>The run failed.</strong> ").Append(Html.E(run.FailureReason)).Append("</p>\n");
        }

        if (run.Outcome == nameof(ResearchOutcome.BudgetExceeded))
        {
            body.Append("<p class=\"status warn\" id=\"budget-note\"><strong>Token budget exceeded.</strong> ")
                .Append(Html.E(run.Note ?? "The run stopped before its next model step would pass the token budget.")).Append("</p>\n");
        }
        else if (run.Note is not null)
        {
            body.Append("<p class=\"status\" id=\"run-note\">").Append(Html.E(run.Note)).Append("</p>\n");
        }

        AppendFacts(body, run, now);
        if (run.AwaitingApproval && decideToken is not null)
        {
            body.Append("<p><a href=\"#decide-heading\">Go to your decision</a></p>\n");
        }

        AppendRevisionHistory(body, run);

        if (run.Title is null && run.Summary is null)
        {
            body.Append("<p id=\"no-draft\">")
                .Append(run.Status == RunStatus.Failed ? "No report: the run failed before writing one."
                    : run.IsTerminal ? "No report was written."
                    : "No draft yet. This page refreshes while the run works.")
                .Append("</p>\n");
        }
        else
        {
            body.Append("<article aria-labelledby=\"draft-title\">\n<h2 id=\"draft-title\">").Append(Html.E(run.Title ?? "Untitled draft")).Append("</h2>\n")
                .Append("<p id=\"draft-summary\">").Append(LinkMarkers(run.Summary, run.Citations)).Append("</p>\n");
            AppendConflicts(body, run);
            AppendCitations(body, run.Citations);
            body.Append("</article>\n");
        }

        AppendSources(body, run.Sources);
        if (run.AwaitingApproval && decideToken is not null)
        {
            AppendDecisionForm(body, run, decideToken);
        }

        return body.ToString();
    }

    public static string Operations(OperationsView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var body = new StringBuilder();
        var runs = view.Runs.Runs;
        body.Append("<p class=\"muted small\" id=\"ops-window\">As of ").Append(Html.E(Stamp(view.Now))).Append(" UTC. Run figures cover the ")
            .Append(Html.E(Count(runs.Count, "research run"))).Append(" created in the last ").Append(Html.E(Span(RunsQuery.Window))).Append(view.Runs.Truncated ? " (cut at the first " + RunsQuery.MaxInstancesRead.ToString("N0", CultureInfo.InvariantCulture) + " instances read)" : string.Empty).Append(".</p>\n");

        // Headline figures a person checks first.
        var awaiting = runs.Where(r => r.AwaitingApproval).ToList();
        var oldestWait = awaiting.Count == 0 ? (TimeSpan?)null : view.Now - awaiting.Min(r => r.LastUpdatedAt);
        body.Append("<div class=\"figures\">\n")
            .Append(Figure("fig-working", "Working now", runs.Count(r => r.Working).ToString(CultureInfo.InvariantCulture), null))
            .Append(Figure("fig-awaiting", "Awaiting review", awaiting.Count.ToString(CultureInfo.InvariantCulture), oldestWait is { } wait ? $"oldest waiting {Span(wait)}" : "none waiting"))
            .Append(Figure("fig-queue", "Batch queue", view.Queue is { } q ? q.Waiting.ToString(CultureInfo.InvariantCulture) : "—", view.Queue is { } q2 ? $"{Count(q2.Poison, "poison message")}" : view.QueueNote))
            .Append(Figure("fig-breaker", "Model breaker", view.Snapshot?.Breakers.FirstOrDefault()?.State ?? "—", view.Snapshot?.Breakers.FirstOrDefault()?.Name))
            .Append("</div>\n");

        AppendRunCounts(body, runs);
        AppendRunsPerMinute(body, runs, view.Now);
        AppendAgents(body, view.Snapshot, view.Now);
        AppendCosts(body, runs, view.Costs);
        AppendBreakers(body, view.Snapshot);
        return body.ToString();
    }

    /// <summary>The status shown for a run: a finished run by its outcome, a running one with its phase.</summary>
    public static string StatusText(RunView run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Phase is not null && !run.IsTerminal
            ? $"{run.Status} ({run.Phase})"
            : run.Status.ToString();
    }

    /// <summary>Encodes the summary, then turns <c>[n]</c> markers that name a citation into links to it.</summary>
    public static string LinkMarkers(string? summary, IReadOnlyList<CitationView> citations)
    {
        var known = citations.Select(c => c.N).ToHashSet();
        return Marker().Replace(Html.E(summary), match =>
        {
            var n = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return known.Contains(n) ? $"<a href=\"#citation-{n}\">[{n}]</a>" : match.Value;
        });
    }

    /// <summary>A duration as a person reads it: "2 d 3 h", "5 h 12 min", "4 min 10 s", "12 s".</summary>
    public static string Span(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        // Two units at most, the smaller left out when it is zero: "1 h", not "1 h 0 min".
        static string Two(int major, string majorUnit, int minor, string minorUnit) =>
            minor == 0 ? string.Create(CultureInfo.InvariantCulture, $"{major} {majorUnit}") : string.Create(CultureInfo.InvariantCulture, $"{major} {majorUnit} {minor} {minorUnit}");
        return span.TotalDays >= 1 ? Two((int)span.TotalDays, "d", span.Hours, "h")
            : span.TotalHours >= 1 ? Two(span.Hours, "h", span.Minutes, "min")
            : span.TotalMinutes >= 1 ? Two(span.Minutes, "min", span.Seconds, "s")
            : string.Create(CultureInfo.InvariantCulture, $"{span.Seconds} s");
    }

    /// <summary>Milliseconds with the precision that keeps sub-millisecond calls from reading as 0.</summary>
    public static string Ms(TimeSpan value)
    {
        var ms = value.TotalMilliseconds;
        return ms.ToString(ms >= 100 ? "0" : ms >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture);
    }

    private static void AppendSubmitForm(StringBuilder body, string submitToken, string? code, bool live)
    {
        body.Append("<section aria-labelledby=\"submit-heading\">\n<h2 id=\"submit-heading\">Ask a question</h2>\n");
        if (live)
        {
            // A meta refresh would wipe a half-typed question: offer a still copy of the page to type in.
            body.Append("<p class=\"muted small\">Runs are working, so this page refreshes itself. <a href=\"")
                .Append(Html.E(code is null ? "/?live=off#question" : $"/?live=off&code={Uri.EscapeDataString(code)}#question"))
                .Append("\">Stop refreshing</a> to type a question.</p>\n");
        }

        body.Append("<form method=\"post\" action=\"/\">\n")
            .Append("<input type=\"hidden\" name=\"token\" value=\"").Append(Html.E(submitToken)).Append("\">\n");
        if (code is not null)
        {
            body.Append("<input type=\"hidden\" name=\"code\" value=\"").Append(Html.E(code)).Append("\">\n");
        }

        body.Append("<label for=\"question\">Question</label>\n")
            .Append("<textarea id=\"question\" name=\"question\" rows=\"3\" required maxlength=\"2000\"></textarea>\n")
            .Append("<label class=\"inline\"><input type=\"checkbox\" name=\"requireApproval\" value=\"true\" checked> Require a reviewer's approval</label>\n")
            .Append("<button class=\"primary\" type=\"submit\">Start research</button>\n</form>\n</section>\n");
    }

    private static void AppendFilterForm(StringBuilder body, RunFilter filter, string? code)
    {
        body.Append("<form class=\"filters\" method=\"get\" action=\"/\" aria-label=\"Filter runs\">\n");
        if (code is not null)
        {
            body.Append("<input type=\"hidden\" name=\"code\" value=\"").Append(Html.E(code)).Append("\">\n");
        }

        body.Append("<label>Status <select name=\"status\"><option value=\"\">Any</option>");
        foreach (var status in RunFilter.Statuses)
        {
            body.Append("<option").Append(filter.Status == status ? " selected" : string.Empty).Append('>').Append(status).Append("</option>");
        }

        body.Append("</select></label>\n<label>Outcome <select name=\"outcome\"><option value=\"\">Any</option>");
        foreach (var outcome in Enum.GetValues<ResearchOutcome>())
        {
            body.Append("<option").Append(filter.Outcome == outcome ? " selected" : string.Empty).Append('>').Append(outcome).Append("</option>");
        }

        body.Append("</select></label>\n<label class=\"inline\"><input type=\"checkbox\" name=\"awaiting\" value=\"1\"").Append(filter.Awaiting ? " checked" : string.Empty)
            .Append("> Awaiting my decision</label>\n<button type=\"submit\">Filter</button>")
            .Append(filter.Any ? $"<a href=\"{Html.E(RunFilter.None.Query(1, code))}\">Clear</a>" : string.Empty)
            .Append("\n</form>\n");
    }

    private static void AppendBadges(StringBuilder body, RunView run)
    {
        var awaiting = run.AwaitingApproval;
        var statusText = awaiting ? "Awaiting approval" : run.Status.ToString();
        body.Append("<span class=\"badge b-").Append(awaiting ? "awaiting" : run.Status.ToString().ToLowerInvariant()).Append("\">").Append(Html.E(statusText)).Append("</span>");
        if (run.IsTerminal && run.Outcome is not null)
        {
            body.Append("<span class=\"badge outcome b-").Append(Html.E(run.Outcome.ToLowerInvariant())).Append("\">").Append(Html.E(OutcomeText(run.Outcome))).Append("</span>");
        }
    }

    private static void AppendProgress(StringBuilder body, RunView run, DateTimeOffset now)
    {
        if (run.AwaitingApproval)
        {
            body.Append("<span class=\"progress\">")
                .Append(run.DecideBy is { } by ? Html.E(by > now ? $"{Span(by - now)} left to decide" : "decision deadline passed") : "no deadline")
                .Append(run.Revisions > 0 ? Html.E($" · draft {run.Revisions + 1}") : string.Empty).Append("</span>");
        }
        else if (run.Working)
        {
            body.Append("<span class=\"progress\">").Append(Html.E(PhaseText(run.Phase)))
                .Append(Html.E($" · {Count(run.SourcesFound, "source")} found, {run.SourcesAccepted} accepted · {Span(now - run.CreatedAt)} elapsed")).Append("</span>");
        }
        else if (run.Status == RunStatus.Failed && run.FailureReason is not null)
        {
            body.Append("<span class=\"progress\">").Append(Html.E(Preview(run.FailureReason, 120))).Append("</span>");
        }
    }

    private static void AppendFacts(StringBuilder body, RunView run, DateTimeOffset now)
    {
        body.Append("<dl class=\"facts\">\n<dt>Question</dt><dd id=\"run-question\">").Append(Html.E(run.Question)).Append("</dd>\n")
            .Append("<dt>Status</dt><dd><span id=\"run-status\">").Append(Html.E(StatusText(run))).Append("</span>");
        if (run.Working)
        {
            body.Append("<span class=\"progress\" id=\"run-progress\">")
                .Append(Html.E($"{Count(run.SourcesFound, "source")} found, {run.SourcesAccepted} accepted · {Span(now - run.CreatedAt)} elapsed")).Append("</span>");
        }

        body.Append("</dd>\n");
        if (run.Outcome is not null && run.IsTerminal)
        {
            body.Append("<dt>Outcome</dt><dd id=\"run-outcome\">").Append(Html.E(run.Outcome)).Append("</dd>\n");
        }

        if (run.AwaitingApproval && run.DecideBy is { } decideBy)
        {
            body.Append("<dt>Decide by</dt><dd id=\"decide-by\">").Append(Html.E(Stamp(decideBy))).Append(" UTC (")
                .Append(Html.E(decideBy > now ? $"{Span(decideBy - now)} left" : "the deadline has passed; the run is ending")).Append(")</dd>\n");
        }

        if (run.AwaitingApproval || run.Revisions > 0)
        {
            body.Append("<dt>Draft</dt><dd id=\"revision\">").Append(Html.E(DraftText(run))).Append("</dd>\n");
        }

        if (run.Decision is { } decision)
        {
            body.Append("<dt>Decided by</dt><dd id=\"decided-by\">").Append(Html.E(decision.Reviewer ?? "(no name given)"))
                .Append(Html.E($": {decision.Decision ?? "?"}")).Append(decision.DecidedAt is { } at ? Html.E($", {Stamp(at)} UTC") : string.Empty);
            if (decision.Comment is not null)
            {
                body.Append("<blockquote id=\"decision-comment\">").Append(Html.E(decision.Comment)).Append("</blockquote>");
            }

            body.Append("</dd>\n");
        }

        if (run.SourcesFound > 0 || run.Sources.Count > 0)
        {
            body.Append("<dt>Sources</dt><dd>").Append(Html.E($"{run.SourcesFound} found, {run.SourcesAccepted} accepted")).Append("</dd>\n");
        }

        if (run.Usage.LlmCalls > 0)
        {
            body.Append("<dt>Model use</dt><dd>").Append(Html.E(FormattableString.Invariant($"{run.Usage.TotalTokens:N0} tokens in {Count(run.Usage.LlmCalls, "call")}"))).Append("</dd>\n");
        }

        body.Append("<dt>Created</dt><dd>").Append(Html.E(Stamp(run.CreatedAt))).Append(" UTC</dd>\n")
            .Append("<dt>Run id</dt><dd class=\"mono\">").Append(Html.E(run.InstanceId)).Append("</dd>\n</dl>\n");
    }

    private static void AppendRevisionHistory(StringBuilder body, RunView run)
    {
        if (run.RevisionRequests.Count == 0)
        {
            return;
        }

        body.Append("<section aria-labelledby=\"history-heading\">\n<h2 id=\"history-heading\">Earlier review rounds</h2>\n<ol id=\"revision-history\">\n");
        foreach (var request in run.RevisionRequests)
        {
            body.Append("<li><strong>").Append(Html.E(request.Reviewer ?? "(no name given)")).Append("</strong> asked for a revision")
                .Append(request.DecidedAt is { } at ? Html.E($" at {Stamp(at)} UTC") : string.Empty).Append(':')
                .Append("<blockquote>").Append(Html.E(request.Comment ?? "(no comment)")).Append("</blockquote></li>\n");
        }

        body.Append("</ol>\n</section>\n");
    }

    private static void AppendConflicts(StringBuilder body, RunView run)
    {
        if (run.Conflicts.Count == 0)
        {
            return;
        }

        var titles = run.Sources.Where(s => s.Id is not null).GroupBy(s => s.Id!).ToDictionary(g => g.Key, g => g.First().Title ?? g.Key, StringComparer.Ordinal);
        body.Append("<section aria-labelledby=\"conflicts-heading\">\n<h3 id=\"conflicts-heading\">Where the sources disagree</h3>\n<ul id=\"conflicts\">\n");
        foreach (var conflict in run.Conflicts)
        {
            body.Append("<li>").Append(Html.E(conflict.Claim));
            if (conflict.Sources.Count > 0)
            {
                body.Append(" <span class=\"muted\">(").Append(Html.E(string.Join("; ", conflict.Sources.Select(id => titles.GetValueOrDefault(id, id))))).Append(")</span>");
            }

            body.Append("</li>\n");
        }

        body.Append("</ul>\n</section>\n");
    }

    private static void AppendCitations(StringBuilder body, IReadOnlyList<CitationView> citations)
    {
        body.Append("<section aria-labelledby=\"citations-heading\">\n<h3 id=\"citations-heading\">Citations</h3>\n");
        if (citations.Count == 0)
        {
            body.Append("<p>None.</p>\n</section>\n");
            return;
        }

        body.Append("<ol class=\"citations\">\n");
        foreach (var citation in citations.OrderBy(c => c.N))
        {
            body.Append("<li id=\"citation-").Append(citation.N.ToString(CultureInfo.InvariantCulture)).Append("\" value=\"").Append(citation.N.ToString(CultureInfo.InvariantCulture)).Append("\">")
                .Append(Html.SafeLink(citation.Url, citation.Title ?? citation.Url))
                .Append("<blockquote>").Append(Html.E(citation.Quote)).Append("</blockquote></li>\n");
        }

        body.Append("</ol>\n</section>\n");
    }

    private static void AppendSources(StringBuilder body, IReadOnlyList<SourceView> sources)
    {
        if (sources.Count == 0)
        {
            return;
        }

        body.Append("<table class=\"stack\">\n<caption>Sources</caption>\n<colgroup><col style=\"width:45%\"><col style=\"width:6rem\"><col></colgroup>\n")
            .Append("<thead><tr><th scope=\"col\">Source</th><th scope=\"col\">Accepted</th><th scope=\"col\">Reason</th></tr></thead>\n<tbody>\n");
        foreach (var source in sources)
        {
            body.Append("<tr><td data-label=\"Source\">").Append(Html.SafeLink(source.Url, source.Title ?? source.Id)).Append("</td><td data-label=\"Accepted\">")
                .Append(source.Accepted switch { true => "Yes", false => "No", null => "—" }).Append("</td><td data-label=\"Reason\">")
                .Append(Html.E(source.Reason)).Append("</td></tr>\n");
        }

        body.Append("</tbody>\n</table>\n");
    }

    private static void AppendDecisionForm(StringBuilder body, RunView run, string decideToken)
    {
        body.Append("<section aria-labelledby=\"decide-heading\">\n<h2 id=\"decide-heading\">Your decision</h2>\n")
            .Append("<form method=\"post\" action=\"/review/").Append(Html.E(Uri.EscapeDataString(run.InstanceId))).Append("\">\n")
            .Append("<input type=\"hidden\" name=\"token\" value=\"").Append(Html.E(decideToken)).Append("\">\n")
            .Append("<label for=\"reviewer\">Your name (required)</label>\n<input type=\"text\" id=\"reviewer\" name=\"reviewer\" required maxlength=\"200\" autocomplete=\"name\">\n")
            .Append("<label for=\"comment\">Comment (required to ask for a revision)</label>\n<textarea id=\"comment\" name=\"comment\" rows=\"4\" maxlength=\"4000\"></textarea>\n");
        if (run.RevisionsLeft == 0)
        {
            body.Append("<p class=\"muted small\">No revisions left: a revision request would be declined; approve or reject this draft.</p>\n");
        }

        body.Append("<div class=\"decision-buttons\">")
            .Append("<button class=\"primary\" type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>")
            .Append("<button type=\"submit\" name=\"decision\" value=\"revise\">Revise</button>")
            .Append("<button type=\"submit\" name=\"decision\" value=\"reject\">Reject</button>")
            .Append("</div>\n</form>\n</section>\n");
    }

    private static string Figure(string id, string label, string value, string? detail) =>
        $"<div class=\"figure\" id=\"{id}\"><span>{Html.E(label)}</span><strong>{Html.E(value)}</strong>{(detail is null ? string.Empty : $"<span class=\"muted small\">{Html.E(detail)}</span>")}</div>\n";

    private static void AppendRunCounts(StringBuilder body, IReadOnlyList<RunView> runs)
    {
        body.Append("<table id=\"runs-by-status\">\n<caption>Runs by status and outcome</caption>\n<thead><tr><th scope=\"col\">Status</th><th scope=\"col\">Outcome</th><th scope=\"col\" class=\"num\">Runs</th></tr></thead>\n<tbody>\n");
        var groups = runs
            .GroupBy(r => (Status: r.AwaitingApproval ? "Awaiting approval" : r.Status.ToString(), Outcome: r.IsTerminal ? r.Outcome ?? "—" : "—"))
            .OrderBy(g => g.Key.Status, StringComparer.Ordinal).ThenBy(g => g.Key.Outcome, StringComparer.Ordinal)
            .ToList();
        if (groups.Count == 0)
        {
            body.Append("<tr><td colspan=\"3\">No runs in this window.</td></tr>\n");
        }

        foreach (var group in groups)
        {
            body.Append("<tr><td>").Append(Html.E(group.Key.Status)).Append("</td><td>").Append(Html.E(group.Key.Outcome)).Append("</td><td class=\"num\">")
                .Append(group.Count().ToString(CultureInfo.InvariantCulture)).Append("</td></tr>\n");
        }

        body.Append("</tbody>\n</table>\n");
    }

    private static void AppendRunsPerMinute(StringBuilder body, IReadOnlyList<RunView> runs, DateTimeOffset now)
    {
        const int minutes = 60;
        var counts = new double[minutes];
        foreach (var run in runs)
        {
            var ago = (int)Math.Floor((now - run.CreatedAt).TotalMinutes);
            if (ago is >= 0 and < minutes)
            {
                counts[minutes - 1 - ago]++;
            }
        }

        body.Append(BarChart("runs-chart", "Runs started per minute, last 60 minutes", counts, v => v.ToString("0", CultureInfo.InvariantCulture)));
    }

    private static void AppendAgents(StringBuilder body, OperationsSnapshot? snapshot, DateTimeOffset now)
    {
        body.Append("<section aria-labelledby=\"agents-heading\">\n<h2 id=\"agents-heading\">Agents</h2>\n");
        if (snapshot is null || snapshot.Agents.Count == 0)
        {
            body.Append("<p id=\"agents-none\">No agent calls in the last ").Append(Html.E(Span(snapshot?.Period ?? ResearchOperationsSnapshotSource.Period))).Append(".</p>\n</section>\n");
            return;
        }

        body.Append("<p class=\"muted small\" id=\"agents-window\">Calls made in the last ").Append(Html.E(Span(snapshot.Period)))
            .Append(" by this host process (up to the latest ").Append(snapshot.CallsKeptPerAgent.ToString(CultureInfo.InvariantCulture))
            .Append(" per agent); percentiles by nearest rank.</p>\n")
            .Append("<table class=\"stack\" id=\"agents\">\n<caption>Latency per agent</caption>\n<thead><tr><th scope=\"col\">Agent</th><th scope=\"col\" class=\"num\">Calls</th><th scope=\"col\" class=\"num\">p50 (ms)</th><th scope=\"col\" class=\"num\">p95 (ms)</th><th scope=\"col\" class=\"num\">p99 (ms)</th><th scope=\"col\" class=\"num\">Median output tokens</th><th scope=\"col\" class=\"num\">Failure rate</th></tr></thead>\n<tbody>\n");
        foreach (var agent in snapshot.Agents)
        {
            body.Append("<tr><th scope=\"row\">").Append(Html.E(agent.Agent)).Append("</th><td class=\"num\" data-label=\"Calls\">").Append(agent.Calls.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td class=\"num\" data-label=\"p50 (ms)\">").Append(Ms(agent.P50)).Append("</td><td class=\"num\" data-label=\"p95 (ms)\">").Append(Ms(agent.P95))
                .Append("</td><td class=\"num\" data-label=\"p99 (ms)\">").Append(Ms(agent.P99))
                .Append("</td><td class=\"num\" data-label=\"Median output tokens\">").Append(agent.MedianOutputTokens.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td class=\"num\" data-label=\"Failure rate\">").Append(agent.FailureRate.ToString("P1", CultureInfo.InvariantCulture)).Append("</td></tr>\n");
        }

        body.Append("</tbody>\n</table>\n");

        // Median latency of all agent calls, minute by minute: a slow model shows as a rising line of bars.
        const int minutes = 60;
        var perMinute = new List<double>[minutes];
        foreach (var call in snapshot.Calls)
        {
            var ago = (int)Math.Floor((now - call.At).TotalMinutes);
            if (ago is >= 0 and < minutes)
            {
                (perMinute[minutes - 1 - ago] ??= []).Add(call.Latency.TotalMilliseconds);
            }
        }

        var medians = perMinute.Select(list => list is null ? 0 : list.Order().ElementAt((list.Count - 1) / 2)).ToArray();
        body.Append(BarChart("latency-chart", "Median agent call latency per minute (ms), last 60 minutes", medians, v => Ms(TimeSpan.FromMilliseconds(v))))
            .Append("</section>\n");
    }

    private static void AppendCosts(StringBuilder body, IReadOnlyList<RunView> runs, OperationsSettings costs)
    {
        var used = runs.Where(r => r.Usage.LlmCalls > 0).ToList();
        var price = costs.CostPer1KTokens;
        string Cost(long tokens) => $"{costs.Currency} {(tokens / 1000m * price).ToString("0.0000", CultureInfo.InvariantCulture)}";
        body.Append("<section aria-labelledby=\"cost-heading\">\n<h2 id=\"cost-heading\">Model tokens and estimated cost</h2>\n")
            .Append("<p class=\"muted small\" id=\"cost-basis\">Estimate at ").Append(Html.E($"{costs.Currency} {price.ToString("0.######", CultureInfo.InvariantCulture)}"))
            .Append(" per 1,000 tokens, input and output alike (setting <code>AgentFunctions:Operations:CostPer1KTokens</code>); not a bill.</p>\n");
        if (used.Count == 0)
        {
            body.Append("<p id=\"cost-none\">No model use in this window.</p>\n</section>\n");
            return;
        }

        var total = used.Sum(r => r.Usage.TotalTokens);
        body.Append("<p id=\"cost-total\">").Append(Html.E(FormattableString.Invariant($"{Count(used.Count, "run")} used {total:N0} tokens ({(double)total / used.Count:N0} per run on average), estimated {Cost(total)} in all.")))
            .Append("</p>\n<table class=\"stack\" id=\"cost-runs\">\n<caption>Newest runs</caption>\n<colgroup><col style=\"width:34%\"><col><col><col><col></colgroup>\n")
            .Append("<thead><tr><th scope=\"col\">Run</th><th scope=\"col\" class=\"num\">Input tokens</th><th scope=\"col\" class=\"num\">Output tokens</th><th scope=\"col\" class=\"num\">Model calls</th><th scope=\"col\" class=\"num\">Estimated cost</th></tr></thead>\n<tbody>\n");
        foreach (var run in used.Take(10))
        {
            body.Append("<tr><td class=\"mono\" data-label=\"Run\">").Append(Html.E(run.InstanceId)).Append("</td><td class=\"num\" data-label=\"Input tokens\">").Append(run.Usage.InputTokens.ToString("N0", CultureInfo.InvariantCulture))
                .Append("</td><td class=\"num\" data-label=\"Output tokens\">").Append(run.Usage.OutputTokens.ToString("N0", CultureInfo.InvariantCulture))
                .Append("</td><td class=\"num\" data-label=\"Model calls\">").Append(run.Usage.LlmCalls.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td class=\"num\" data-label=\"Estimated cost\">").Append(Html.E(Cost(run.Usage.TotalTokens))).Append("</td></tr>\n");
        }

        body.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void AppendBreakers(StringBuilder body, OperationsSnapshot? snapshot)
    {
        body.Append("<table id=\"breakers\">\n<caption>Circuit breakers</caption>\n<thead><tr><th scope=\"col\">Breaker</th><th scope=\"col\">State</th><th scope=\"col\">Since (UTC)</th></tr></thead>\n<tbody>\n");
        if (snapshot is null || snapshot.Breakers.Count == 0)
        {
            body.Append("<tr><td colspan=\"3\">No breaker is registered.</td></tr>\n");
        }

        foreach (var breaker in snapshot?.Breakers ?? [])
        {
            body.Append("<tr><th scope=\"row\">").Append(Html.E(breaker.Name)).Append("</th><td>").Append(Html.E(breaker.State)).Append("</td><td>")
                .Append(Html.E(breaker.Since is { } since ? Stamp(since) : "—")).Append("</td></tr>\n");
        }

        body.Append("</tbody>\n</table>\n");
    }

    /// <summary>
    /// A bar chart drawn on the server as inline SVG (the pages run no script): one bar per value, oldest left,
    /// with the largest value marked on the axis. Its text alternative states the largest value and the total.
    /// </summary>
    private static string BarChart(string id, string title, IReadOnlyList<double> values, Func<double, string> format)
    {
        const double width = 360, height = 150, left = 30, bottom = 18, top = 8;
        var max = values.Count == 0 ? 0 : values.Max();
        var scale = max <= 0 ? 0 : (height - bottom - top) / max;
        var slot = (width - left) / Math.Max(1, values.Count);
        var c = CultureInfo.InvariantCulture;
        var svg = new StringBuilder();
        svg.Append("<figure class=\"chart\">\n<svg id=\"").Append(id).Append("\" viewBox=\"0 0 360 150\" role=\"img\" aria-labelledby=\"").Append(id).Append("-title\" xmlns=\"http://www.w3.org/2000/svg\">")
            .Append("<title id=\"").Append(id).Append("-title\">").Append(Html.E($"{title}: highest {format(max)}, total {format(values.Sum())}")).Append("</title>")
            .Append("<line x1=\"30\" y1=\"132\" x2=\"360\" y2=\"132\" stroke=\"#6b6b6b\"/><line x1=\"30\" y1=\"8\" x2=\"30\" y2=\"132\" stroke=\"#6b6b6b\"/>")
            .Append("<text x=\"26\" y=\"135\" font-size=\"10\" text-anchor=\"end\">0</text>")
            .Append("<text x=\"26\" y=\"15\" font-size=\"10\" text-anchor=\"end\">").Append(Html.E(format(max))).Append("</text>")
            .Append("<text x=\"30\" y=\"147\" font-size=\"10\">-60 min</text><text x=\"195\" y=\"147\" font-size=\"10\" text-anchor=\"middle\">-30 min</text><text x=\"360\" y=\"147\" font-size=\"10\" text-anchor=\"end\">now</text>");
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] <= 0)
            {
                continue;
            }

            var h = Math.Max(1, values[i] * scale);
            svg.Append("<rect x=\"").Append((left + (i * slot) + 1).ToString("0.##", c)).Append("\" y=\"").Append((height - bottom - h).ToString("0.##", c))
                .Append("\" width=\"").Append(Math.Max(1, slot - 2).ToString("0.##", c)).Append("\" height=\"").Append(h.ToString("0.##", c))
                .Append("\" fill=\"#0b4fb3\"><title>").Append(Html.E($"{60 - i} min ago: {format(values[i])}")).Append("</title></rect>");
        }

        svg.Append("</svg>\n<figcaption class=\"muted small\">").Append(Html.E(title)).Append("</figcaption>\n</figure>\n");
        return svg.ToString();
    }

    private static string DraftText(RunView run) =>
        $"Draft {run.Revisions + 1}" + (run.Revisions == 0 ? ", the first" : $", after {Count(run.Revisions, "revision")}")
        + (run.RevisionsLeft is { } left && run.AwaitingApproval ? $"; {Count(left, "revision")} left" : string.Empty);

    private static string PhaseText(string? phase) => phase ?? "Starting";

    private static string OutcomeText(string outcome) => outcome switch
    {
        nameof(ResearchOutcome.TimedOut) => "Timed out",
        nameof(ResearchOutcome.NotReviewed) => "Not reviewed",
        nameof(ResearchOutcome.BudgetExceeded) => "Budget exceeded",
        _ => outcome,
    };

    private static string Preview(string? text, int max = QuestionPreviewLength) =>
        text is null ? string.Empty : text.Length <= max ? text : text[..(max - 1)] + "\u2026";

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString(Utc, CultureInfo.InvariantCulture);

    private static string Count(long n, string noun) => $"{n.ToString("N0", CultureInfo.InvariantCulture)} {noun}{(n == 1 ? string.Empty : "s")}";

    [GeneratedRegex(@"\[(\d{1,4})\]", RegexOptions.CultureInvariant)]
    private static partial Regex Marker();
}
