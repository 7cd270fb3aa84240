using AgentFunctions.Host.Durable;
using Microsoft.DurableTask.Client;
using AgentFunctions.Host.Operations;
using AgentFunctions.Host.Review;

namespace AgentFunctions.Host.Tests.Unit;

public sealed class ReviewPageRendererTests
{
    private const string Script = "<script>alert(1)</script>";

    [Fact]
    public void Review_HostileSourceText_IsEncodedNeverMarkup()
    {
        var run = Run(
            title: $"Title {Script}",
            summary: $"Claim [1] and {Script} [7]",
            citations: [new CitationView(1, $"Cite {Script}", "javascript:alert(1)", $"\"quote\" {Script}")],
            sources: [new SourceView("s1", $"Src {Script}", "https://example.org/?a=1&b=\"2\"", false, $"Reason {Script}")]);

        var html = ReviewPageRenderer.Review(run, "token", null, noticeIsError: false);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"#citation-1\">[1]</a>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("#citation-7", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://example.org/?a=1&amp;b=%222%22\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Review_AwaitingApproval_RendersLabelledDecisionForm()
    {
        var html = ReviewPageRenderer.Review(Run(), "decide-token", null, noticeIsError: false);

        Assert.Contains("<label for=\"comment\">", html, StringComparison.Ordinal);
        Assert.Contains("name=\"token\" value=\"decide-token\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"approve\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"reject\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"revise\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Review_NoDecideToken_RendersNoForm()
    {
        var html = ReviewPageRenderer.Review(Run(), null, "Your decision (approve) was recorded.", noticeIsError: false);

        Assert.DoesNotContain("<form", html, StringComparison.Ordinal);
        Assert.Contains("role=\"status\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Operations_NoSource_SaysNoDataYet() =>
        Assert.Equal("<p>No data yet.</p>", ReviewPageRenderer.Operations(null));

    [Fact]
    public void Operations_Snapshot_RendersPercentilesAndBreakers()
    {
        var snapshot = new OperationsSnapshot(
            DateTimeOffset.UnixEpoch,
            12,
            [new AgentOperations("Synthesizer", 24, TimeSpan.FromMilliseconds(120), TimeSpan.FromMilliseconds(480), TimeSpan.FromMilliseconds(900), 5120, 0.125)],
            [new BreakerStatus("azure-openai", "Open", null)]);

        var html = ReviewPageRenderer.Operations(snapshot);

        Assert.Contains("<td>120</td><td>480</td><td>900</td><td>5120</td><td>12.5 %</td>", html, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">azure-openai</th><td>Open</td>", html, StringComparison.Ordinal);
    }

    private static RunView Run(string? title = "Title", string? summary = "Summary [1]", IReadOnlyList<CitationView>? citations = null, IReadOnlyList<SourceView>? sources = null) =>
        new("run-1", OrchestrationRuntimeStatus.Running, "AwaitingApproval", "Question?", null, title, summary,
            citations ?? [new CitationView(1, "Cite", "https://example.org", "quote")], sources ?? [], null, DateTimeOffset.UnixEpoch);
}
