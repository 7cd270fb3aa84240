using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace AgentFunctions.Host.Review;

/// <summary>
/// Server-rendered HTML for the review pages. Every value that reaches a page goes through <see cref="E"/>:
/// source titles, quotes and reasons come from retrieved documents and are hostile by assumption.
/// </summary>
internal static class Html
{
    private const string Style = """
        :root { color-scheme: light; }
        *, *::before, *::after { box-sizing: border-box; }
        body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b; background: #fff; margin: 0; }
        header, main { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
        header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0 1.5rem; border-bottom: 2px solid #1b1b1b; }
        header p { margin: .6rem 0; }
        header nav a { margin-right: 1rem; }
        main { padding-bottom: 2rem; }
        h1 { font-size: 1.6rem; line-height: 1.25; overflow-wrap: anywhere; }
        h2 { font-size: 1.3rem; overflow-wrap: anywhere; }
        a { color: #0b4fb3; }
        a:focus, button:focus, input:focus, textarea:focus, select:focus { outline: 3px solid #b35c00; outline-offset: 2px; }
        table { border-collapse: collapse; width: 100%; margin: 1rem 0; table-layout: fixed; }
        caption { text-align: left; font-weight: 600; }
        th, td { border: 1px solid #6b6b6b; padding: .4rem .5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
        th { background: #ececec; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        label { display: block; font-weight: 600; margin-top: .75rem; }
        label.inline { display: flex; gap: .4rem; align-items: center; font-weight: 400; }
        input[type=text], textarea, select { width: 100%; max-width: 40rem; font: inherit; padding: .4rem; border: 1px solid #4a4a4a; background: #fff; }
        button { font: inherit; padding: .45rem 1rem; margin: .75rem .5rem 0 0; border: 2px solid #1b1b1b; background: #fff; color: #1b1b1b; cursor: pointer; }
        button.primary { background: #0b4fb3; border-color: #0b4fb3; color: #fff; }
        .decision-buttons { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: .5rem; max-width: 30rem; margin-top: .75rem; }
        .decision-buttons button { margin: 0; width: 100%; padding-left: .25rem; padding-right: .25rem; }
        .status { padding: .5rem .75rem; border-left: 6px solid #0b4fb3; background: #eef3fb; overflow-wrap: anywhere; }
        .error { border-left-color: #b00020; background: #fdecee; }
        .warn { border-left-color: #b35c00; background: #fff4e5; }
        blockquote { margin: .25rem 0 0; padding-left: .75rem; border-left: 3px solid #6b6b6b; overflow-wrap: anywhere; }
        .muted { color: #4a4a4a; }
        .small { font-size: .875rem; }
        .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .85rem; }
        .question { display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden; overflow-wrap: anywhere; }
        .badge { display: inline-block; padding: 0 .45rem; margin: 0 .25rem .15rem 0; border: 1px solid currentColor; border-radius: .25rem; font-size: .85rem; font-weight: 600; white-space: nowrap; }
        .b-running, .b-pending { color: #0b4fb3; background: #eef3fb; }
        .b-awaiting { color: #7a3e00; background: #fff4e5; }
        .b-completed, .b-approved, .b-notreviewed { color: #0d5c26; background: #e6f4ea; }
        .b-failed, .b-rejected, .b-terminated { color: #8c0019; background: #fdecee; }
        .b-timedout, .b-budgetexceeded, .b-suspended { color: #5c3b00; background: #fbf0d9; }
        .progress { display: block; font-size: .875rem; color: #333; }
        dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .25rem 1rem; }
        dl.facts dt { font-weight: 600; }
        dl.facts dd { margin: 0; overflow-wrap: anywhere; }
        form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; }
        form.filters label { margin-top: 0; }
        form.filters select { width: auto; }
        form.filters button { margin: 0; }
        nav.pager { display: flex; justify-content: space-between; gap: 1rem; }
        .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(9.5rem, 1fr)); gap: .75rem; margin: 1rem 0; }
        .figure { border: 1px solid #6b6b6b; padding: .5rem .75rem; }
        .figure strong { display: block; font-size: 1.5rem; font-variant-numeric: tabular-nums; }
        figure.chart { margin: 1rem 0; }
        figure.chart svg { display: block; width: 100%; height: auto; max-width: 36rem; }
        code { overflow-wrap: anywhere; }
        @media (max-width: 40rem) {
          h1 { font-size: 1.3rem; }
          dl.facts { grid-template-columns: minmax(0, 1fr); }
          dl.facts dd { margin-bottom: .5rem; }
          table.stack, table.stack tbody, table.stack tr, table.stack td, table.stack th[scope=row] { display: block; width: 100%; }
          table.stack caption { display: block; }
          table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
          table.stack tr { border: 1px solid #6b6b6b; margin-bottom: .5rem; }
          table.stack td, table.stack th[scope=row] { border: 0; text-align: left; }
          table.stack td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; }
        }
        """;

    // Markup-significant characters (< > & " ' and controls) are always encoded; letters of every script, dashes
    // and ellipses are left as they are, so text stays readable in the source and the page stays small.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>HTML-encodes text for element content and quoted attribute values.</summary>
    public static string E(string? text) => Encoder.Encode(text ?? string.Empty);

    /// <summary>A link only for absolute http(s) URLs; anything else (javascript:, data:) is shown as text.</summary>
    public static string SafeLink(string? url, string? text)
    {
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? $"<a href=\"{E(uri.AbsoluteUri)}\" rel=\"noopener noreferrer nofollow\">{E(text ?? url)}</a>"
            : E(text ?? url);
    }

    /// <summary>A complete page.</summary>
    /// <param name="title">The page title and heading.</param>
    /// <param name="body">The body markup, already encoded.</param>
    /// <param name="navQuery">The query (function key) the navigation links carry.</param>
    /// <param name="refreshSeconds">When set, the page reloads itself after this many seconds (no script needed).</param>
    public static string Page(string title, string body, string? navQuery = null, int? refreshSeconds = null)
    {
        var page = new StringBuilder(4096);
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"referrer\" content=\"no-referrer\">\n");
        if (refreshSeconds is { } seconds)
        {
            // Works without JavaScript (the pages' policy forbids script): the page reloads itself while a run is busy.
            page.Append("<meta http-equiv=\"refresh\" content=\"").Append(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("\">\n");
        }

        page.Append("<title>").Append(E(title)).Append(" · AgentFunctions</title>\n<style>").Append(Style).Append("</style>\n</head>\n<body>\n")
            .Append("<header><p><strong>AgentFunctions</strong></p><nav aria-label=\"Main\">")
            .Append("<a href=\"/").Append(E(navQuery)).Append("\">Runs</a><a href=\"/ops").Append(E(navQuery)).Append("\">Operations</a></nav></header>\n")
            .Append("<main>\n<h1>").Append(E(title)).Append("</h1>\n").Append(body).Append("\n</main>\n</body>\n</html>\n");
        return page.ToString();
    }
}
