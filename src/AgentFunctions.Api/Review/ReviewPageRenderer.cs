using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AgentFunctions.Host.Durable;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using AgentFunctions.Host.Operations;

namespace AgentFunctions.Host.Review;

/// <summary>Builds the bodies of the runs, review and operations pages; all text is encoded by <see cref="Html"/>.</summary>
internal static partial class ReviewPageRenderer
{
    public static string Runs(IReadOnlyList<(RunView Run, string Link)> runs, string submitToken, string? code, string? message)
    {
        var body = new StringBuilder();
        if (message is not null)
        {
            body.Append("<p class=\"status error\" role=\"alert\">").Append(Html.E(message)).Append("</p>\n");
        }

        body.Append("<section aria-labelledby=\"submit-heading\">\n<h2 id=\"submit-heading\">Ask a question</h2>\n")
            .Append("<form method=\"post\" action=\"/\">\n")
            .Append("<input type=\"hidden\" name=\"token\" value=\"").Append(Html.E(submitToken)).Append("\">\n");
        if (code is not null)
        {
            body.Append("<input type=\"hidden\" name=\"code\" value=\"").Append(Html.E(code)).Append("\">\n");
        }

        body.Append("<label for=\"question\">Question</label>\n")
            .Append("<textarea id=\"question\" name=\"question\" rows=\"3\" required maxlength=\"2000\"></textarea>\n")
            .Append("<label><input type=\"checkbox\" name=\"requireApproval\" value=\"true\" checked> Require a reviewer's approval</label>\n")
            .Append("<button class=\"primary\" type=\"submit\">Start research</button>\n</form>\n</section>\n");

        body.Append("<section aria-labelledby=\"runs-heading\">\n<h2 id=\"runs-heading\">Recent runs</h2>\n");
        if (runs.Count == 0)
        {
            body.Append("<p>No runs yet.</p>\n</section>");
            return body.ToString();
        }

        body.Append("<table>\n<caption>Newest first</caption>\n<thead><tr><th scope=\"col\">Run</th><th scope=\"col\">Question</th><th scope=\"col\">Status</th><th scope=\"col\">Created (UTC)</th></tr></thead>\n<tbody>\n");
        foreach (var (run, link) in runs)
        {
            body.Append("<tr><td><a href=\"").Append(Html.E(link)).Append("\">").Append(Html.E(run.InstanceId)).Append("</a></td><td>")
                .Append(Html.E(run.Question)).Append("</td><td>").Append(Html.E(StatusText(run))).Append("</td><td>")
                .Append(Html.E(run.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))).Append("</td></tr>\n");
        }

        body.Append("</tbody>\n</table>\n</section>");
        return body.ToString();
    }

    public static string Review(RunView run, string? decideToken, string? notice, bool noticeIsError)
    {
        var body = new StringBuilder();
        if (notice is not null)
        {
            body.Append("<p class=\"status").Append(noticeIsError ? " error\" role=\"alert\">" : "\" role=\"status\">").Append(Html.E(notice)).Append("</p>\n");
        }

        body.Append("<dl>\n<dt>Question</dt><dd>").Append(Html.E(run.Question)).Append("</dd>\n")
            .Append("<dt>Status</dt><dd id=\"run-status\">").Append(Html.E(StatusText(run))).Append("</dd>\n");
        if (run.Outcome is not null)
        {
            body.Append("<dt>Outcome</dt><dd id=\"run-outcome\">").Append(Html.E(run.Outcome)).Append("</dd>\n");
        }

        body.Append("<dt>Run id</dt><dd>").Append(Html.E(run.InstanceId)).Append("</dd>\n</dl>\n");

        if (run.Title is null && run.Summary is null)
        {
            body.Append("<p>No draft yet.").Append(!run.Status.IsTerminal() ? " This page refreshes while the run works." : string.Empty).Append("</p>\n");
        }
        else
        {
            body.Append("<article aria-labelledby=\"draft-title\">\n<h2 id=\"draft-title\">").Append(Html.E(run.Title ?? "Untitled draft")).Append("</h2>\n")
                .Append("<p id=\"draft-summary\">").Append(LinkMarkers(run.Summary, run.Citations)).Append("</p>\n");
            AppendCitations(body, run.Citations);
            body.Append("</article>\n");
        }

        AppendSources(body, run.Sources);
        if (run.AwaitingApproval && decideToken is not null)
        {
            AppendDecisionForm(body, run.InstanceId, decideToken);
        }

        return body.ToString();
    }

    public static string Operations(OperationsSnapshot? snapshot)
    {
        if (snapshot is null || (snapshot.Agents.Count == 0 && snapshot.Breakers.Count == 0))
        {
            return "<p>No data yet.</p>";
        }

        var body = new StringBuilder();
        body.Append("<p class=\"muted\">Over the last ").Append(snapshot.RunsConsidered.ToString(CultureInfo.InvariantCulture))
            .Append(" runs, as of ").Append(Html.E(snapshot.TakenAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))).Append(" UTC.</p>\n")
            .Append("<table>\n<caption>Agents</caption>\n<thead><tr><th scope=\"col\">Agent</th><th scope=\"col\">Calls</th><th scope=\"col\">p50 (ms)</th><th scope=\"col\">p95 (ms)</th><th scope=\"col\">p99 (ms)</th><th scope=\"col\">Output tokens</th><th scope=\"col\">Failure rate</th></tr></thead>\n<tbody>\n");
        foreach (var agent in snapshot.Agents)
        {
            body.Append("<tr><th scope=\"row\">").Append(Html.E(agent.Agent)).Append("</th><td>").Append(agent.Calls.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(Ms(agent.P50)).Append("</td><td>").Append(Ms(agent.P95)).Append("</td><td>").Append(Ms(agent.P99))
                .Append("</td><td>").Append(agent.OutputTokens.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(agent.FailureRate.ToString("P1", CultureInfo.InvariantCulture)).Append("</td></tr>\n");
        }

        body.Append("</tbody>\n</table>\n<table>\n<caption>Circuit breakers</caption>\n<thead><tr><th scope=\"col\">Breaker</th><th scope=\"col\">State</th><th scope=\"col\">Since (UTC)</th></tr></thead>\n<tbody>\n");
        foreach (var breaker in snapshot.Breakers)
        {
            body.Append("<tr><th scope=\"row\">").Append(Html.E(breaker.Name)).Append("</th><td>").Append(Html.E(breaker.State)).Append("</td><td>")
                .Append(Html.E(breaker.Since?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "—")).Append("</td></tr>\n");
        }

        body.Append("</tbody>\n</table>");
        return body.ToString();
    }

    public static string StatusText(RunView run) =>
        run.Phase is not null && !run.Status.IsTerminal()
            ? $"{run.Status} ({run.Phase})"
            : run.Status.ToString();

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

        body.Append("<table>\n<caption>Sources</caption>\n<thead><tr><th scope=\"col\">Source</th><th scope=\"col\">Accepted</th><th scope=\"col\">Reason</th></tr></thead>\n<tbody>\n");
        foreach (var source in sources)
        {
            body.Append("<tr><td>").Append(Html.SafeLink(source.Url, source.Title ?? source.Id)).Append("</td><td>")
                .Append(source.Accepted switch { true => "Yes", false => "No", null => "—" }).Append("</td><td>")
                .Append(Html.E(source.Reason)).Append("</td></tr>\n");
        }

        body.Append("</tbody>\n</table>\n");
    }

    private static void AppendDecisionForm(StringBuilder body, string instanceId, string decideToken)
    {
        body.Append("<section aria-labelledby=\"decide-heading\">\n<h2 id=\"decide-heading\">Your decision</h2>\n")
            .Append("<form method=\"post\" action=\"/review/").Append(Html.E(Uri.EscapeDataString(instanceId))).Append("\">\n")
            .Append("<input type=\"hidden\" name=\"token\" value=\"").Append(Html.E(decideToken)).Append("\">\n")
            .Append("<label for=\"reviewer\">Your name</label>\n<input type=\"text\" id=\"reviewer\" name=\"reviewer\" maxlength=\"200\" autocomplete=\"name\">\n")
            .Append("<label for=\"comment\">Comment (required to ask for a revision)</label>\n<textarea id=\"comment\" name=\"comment\" rows=\"4\" maxlength=\"4000\"></textarea>\n")
            .Append("<button class=\"primary\" type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>")
            .Append("<button type=\"submit\" name=\"decision\" value=\"revise\">Ask for a revision</button>")
            .Append("<button type=\"submit\" name=\"decision\" value=\"reject\">Reject</button>\n</form>\n</section>\n");
    }

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\[(\d{1,4})\]", RegexOptions.CultureInvariant)]
    private static partial Regex Marker();
}
