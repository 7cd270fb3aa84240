using System.Text;
using System.Text.Encodings.Web;

namespace AgentFunctions.Host.Review;

/// <summary>
/// Server-rendered HTML for the review pages. Every value that reaches a page goes through <see cref="E"/>:
/// source titles, quotes and reasons come from retrieved documents and are hostile by assumption.
/// </summary>
internal static class Html
{
    private const string Style = """
        :root { color-scheme: light; }
        body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b; background: #fff; margin: 0; }
        header, main, footer { max-width: 60rem; margin: 0 auto; padding: 0 1rem; }
        header { border-bottom: 2px solid #1b1b1b; }
        header nav a { margin-right: 1rem; }
        a { color: #0b4fb3; }
        a:focus, button:focus, input:focus, textarea:focus { outline: 3px solid #b35c00; outline-offset: 2px; }
        table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
        caption { text-align: left; font-weight: 600; }
        th, td { border: 1px solid #6b6b6b; padding: .4rem .5rem; text-align: left; vertical-align: top; }
        th { background: #ececec; }
        label { display: block; font-weight: 600; margin-top: .75rem; }
        input[type=text], textarea { width: 100%; max-width: 40rem; font: inherit; padding: .4rem; border: 1px solid #4a4a4a; }
        button { font: inherit; padding: .45rem 1rem; margin: .75rem .5rem 0 0; border: 2px solid #1b1b1b; background: #fff; color: #1b1b1b; cursor: pointer; }
        button.primary { background: #0b4fb3; border-color: #0b4fb3; color: #fff; }
        .status { padding: .5rem .75rem; border-left: 6px solid #0b4fb3; background: #eef3fb; }
        .error { border-left-color: #b00020; background: #fdecee; }
        blockquote { margin: .25rem 0 0; padding-left: .75rem; border-left: 3px solid #6b6b6b; }
        .muted { color: #4a4a4a; }
        """;

    /// <summary>HTML-encodes text for element content and quoted attribute values.</summary>
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? string.Empty);

    /// <summary>A link only for absolute http(s) URLs; anything else (javascript:, data:) is shown as text.</summary>
    public static string SafeLink(string? url, string? text)
    {
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? $"<a href=\"{E(uri.AbsoluteUri)}\" rel=\"noopener noreferrer nofollow\">{E(text ?? url)}</a>"
            : E(text ?? url);
    }

    /// <summary>A complete page.</summary>
    public static string Page(string title, string body, string? navQuery = null, bool autoRefresh = false)
    {
        var page = new StringBuilder(4096);
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"referrer\" content=\"no-referrer\">\n");
        if (autoRefresh)
        {
            // Works without JavaScript: the page reloads itself while the run is busy.
            page.Append("<meta http-equiv=\"refresh\" content=\"2\">\n");
        }

        page.Append("<title>").Append(E(title)).Append(" · AgentFunctions</title>\n<style>").Append(Style).Append("</style>\n</head>\n<body>\n")
            .Append("<header><p><strong>AgentFunctions</strong></p><nav aria-label=\"Main\">")
            .Append("<a href=\"/").Append(E(navQuery)).Append("\">Runs</a><a href=\"/ops").Append(E(navQuery)).Append("\">Operations</a></nav></header>\n")
            .Append("<main>\n<h1>").Append(E(title)).Append("</h1>\n").Append(body).Append("\n</main>\n</body>\n</html>\n");
        return page.ToString();
    }
}
