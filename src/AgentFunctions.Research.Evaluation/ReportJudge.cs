using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AgentFunctions.Research.Contracts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace AgentFunctions.Research.Evaluation;

/// <summary>
/// Scores a report with a live model on Microsoft.Extensions.AI.Evaluation's <see cref="IEvaluator"/> contract:
/// relevance (does it address the question), groundedness (is every claim backed by the cited sources, given as
/// <see cref="SourcesContext"/>) and completeness (does it cover what the question asks), each 1 to 5.
/// </summary>
/// <remarks>
/// The package's ready-made quality evaluators (Microsoft.Extensions.AI.Evaluation.Quality) are not served by the
/// package feed this project builds from, so the three metrics are asked for here with one judging prompt and parsed
/// into the same <see cref="NumericMetric"/> shape; swapping in the packaged evaluators later changes only this class.
/// </remarks>
public sealed partial class ReportJudge : IEvaluator
{
    /// <summary>Metric name: how well the report addresses the question.</summary>
    public const string Relevance = "Relevance";

    /// <summary>Metric name: how well the report's claims are supported by its cited sources.</summary>
    public const string Groundedness = "Groundedness";

    /// <summary>Metric name: how much of what the question asks the report covers.</summary>
    public const string Completeness = "Completeness";

    internal const string Instructions = """
        You grade a research report. Score each property from 1 (very poor) to 5 (excellent):
        relevance: the report addresses the question asked;
        groundedness: every claim in the report is supported by the cited source passages given below;
        completeness: the report covers everything the question asks, or says plainly what the sources do not answer.
        Reply with exactly three lines and nothing else:
        relevance: <1-5>
        groundedness: <1-5>
        completeness: <1-5>
        """;

    /// <inheritdoc />
    public IReadOnlyCollection<string> EvaluationMetricNames { get; } = [Relevance, Groundedness, Completeness];

    /// <summary>The question and report as the messages an <see cref="IEvaluator"/> takes.</summary>
    /// <param name="question">The research question.</param>
    /// <param name="report">The report to grade.</param>
    public static (ChatMessage Question, ChatResponse Report, SourcesContext Sources) Inputs(string question, ResearchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = report.Summary + (report.Answered ? string.Empty : "\n(The report says the sources do not answer the question.)");
        return (new ChatMessage(ChatRole.User, question), new ChatResponse(new ChatMessage(ChatRole.Assistant, text)), new SourcesContext(report));
    }

    /// <inheritdoc />
    public async ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages,
        ChatResponse modelResponse,
        ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(modelResponse);
        ArgumentNullException.ThrowIfNull(chatConfiguration);
        var question = string.Join("\n", messages.Where(m => m.Role == ChatRole.User).Select(m => m.Text));
        var sources = additionalContext?.OfType<SourcesContext>().FirstOrDefault();
        var prompt = new StringBuilder()
            .Append("Question:\n").Append(question).Append("\n\nReport:\n").Append(modelResponse.Text)
            .Append("\n\nCited source passages:\n")
            .Append(sources is null ? "(none)" : string.Join("\n", sources.Contents.OfType<TextContent>().Select(t => t.Text)))
            .ToString();
        var reply = await chatConfiguration.ChatClient.GetResponseAsync(
            [new ChatMessage(ChatRole.System, Instructions), new ChatMessage(ChatRole.User, prompt)],
            new ChatOptions { Temperature = 0 },
            cancellationToken).ConfigureAwait(false);
        return Parse(reply.Text);
    }

    /// <summary>Reads the judge's three lines; a missing or unreadable score becomes an error diagnostic on its metric.</summary>
    /// <param name="reply">The judge's reply text.</param>
    public static EvaluationResult Parse(string reply)
    {
        var metrics = new List<EvaluationMetric>();
        foreach (var name in new[] { Relevance, Groundedness, Completeness })
        {
            var match = Score().Matches(reply ?? string.Empty).FirstOrDefault(m => string.Equals(m.Groups["name"].Value, name, StringComparison.OrdinalIgnoreCase));
            var metric = new NumericMetric(name);
            if (match is not null && double.TryParse(match.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= 5)
            {
                metric.Value = value;
                metric.Interpretation = new EvaluationMetricInterpretation(
                    value >= 4 ? EvaluationRating.Good : value >= 3 ? EvaluationRating.Average : EvaluationRating.Poor, failed: value < 3);
            }
            else
            {
                metric.AddDiagnostics(EvaluationDiagnostic.Error($"The judge's reply has no {name.ToLowerInvariant()} score from 1 to 5."));
            }

            metrics.Add(metric);
        }

        return new EvaluationResult(metrics);
    }

    [GeneratedRegex(@"(?<name>relevance|groundedness|completeness)\s*[:=]\s*(?<value>\d+(?:\.\d+)?)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Score();
}

/// <summary>The report's cited passages, handed to <see cref="ReportJudge"/> as the grounding of its claims.</summary>
/// <param name="report">The report whose citations are the context.</param>
public sealed class SourcesContext(ResearchReport report) : EvaluationContext(
    "Cited sources",
    [.. (report ?? throw new ArgumentNullException(nameof(report))).Citations.Select(c => (AIContent)new TextContent($"[{c.N}] {c.SourceId}: {c.Quote}"))]);
