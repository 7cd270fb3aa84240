using System.Text;
using System.Text.Json;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Guards;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Research.Agents;

/// <summary>
/// Writes the cited report from the accepted sources, optionally revising with a reviewer's feedback and the
/// citation checker's findings. A reply is only accepted when it passes the same hard rules the
/// <see cref="CitationCheckerAgent"/> enforces; otherwise the problems go back to the model for repair.
/// </summary>
public sealed class SynthesizerAgent
{
    /// <summary>Output token cap per call when the options leave it unset.</summary>
    public const int DefaultMaxOutputTokens = 1500;

    /// <summary>The name of the reply's JSON schema.</summary>
    public const string SchemaName = "research_report";

    internal static readonly string SystemPrompt = $$"""
        You are the synthesizer of a research pipeline. Write a concise, factual report that answers the user's
        research question using only the provided sources.

        {{Datamarking.DataOnlyRule}}

        Rules:
        - Every factual claim in the summary ends with a citation marker [n] (n = 1, 2, ...).
        - Every marker has exactly one citation with the same n, and every citation is referenced in the summary.
        - sourceId is the id attribute of one of the provided sources; never cite anything else.
        - quote is a passage copied exactly, character for character, from that source's text (one or two
          sentences). Do not paraphrase, shorten inside, or fix typos in a quote.
        - If reviewer feedback is given, apply it. If problems of a previous draft are listed, fix every one.
        - Cite the sources that best support the answer; leave out sources and passages that do not bear on the
          question, however related their topic.
        - If the sources do not answer the question, set answered to false, say so plainly in the summary and say
          what the sources cover instead; do not build an answer from loosely related passages.
        - If sources disagree on a point, do not pick a side silently: add an entry to conflicts naming the point
          (claim) and what each source says, and mention the disagreement in the summary.

        Output: only a JSON object, no prose, no Markdown:
        {"title": "<report title>", "summary": "<text with [n] markers>", "citations": [{"n": 1, "sourceId": "<id>", "quote": "<exact passage>"}],
         "conflicts": [{"claim": "<point in dispute>", "sources": [{"sourceId": "<id>", "says": "<what it says>"}]}], "answered": true|false}
        """;

    private static readonly JsonElement s_schema = AgentPrompt.ParseSchema("""
        {
          "type": "object",
          "properties": {
            "title": { "type": "string" },
            "summary": { "type": "string", "description": "The report; each claim ends with a [n] marker." },
            "citations": {
              "type": "array",
              "items": {
                "type": "object",
                "properties": {
                  "n": { "type": "integer" },
                  "sourceId": { "type": "string" },
                  "quote": { "type": "string", "description": "A passage copied exactly from the source." }
                },
                "required": ["n", "sourceId", "quote"],
                "additionalProperties": false
              }
            },
            "conflicts": {
              "type": "array",
              "items": {
                "type": "object",
                "properties": {
                  "claim": { "type": "string", "description": "The point the sources disagree on." },
                  "sources": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "properties": {
                        "sourceId": { "type": "string" },
                        "says": { "type": "string", "description": "What this source says on the point." }
                      },
                      "required": ["sourceId", "says"],
                      "additionalProperties": false
                    }
                  }
                },
                "required": ["claim", "sources"],
                "additionalProperties": false
              }
            },
            "answered": { "type": "boolean", "description": "False when the sources do not answer the question." }
          },
          "required": ["title", "summary", "citations", "conflicts", "answered"],
          "additionalProperties": false
        }
        """);

    private readonly IChatClient _chatClient;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the synthesizer.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="options">Repair and token limits; defaults when null.</param>
    /// <param name="timeProvider">Clock for latency metrics; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Logger; none when null.</param>
    public SynthesizerAgent(IChatClient chatClient, AgentOptions? options = null, TimeProvider? timeProvider = null, ILogger<SynthesizerAgent>? logger = null)
    {
        _chatClient = chatClient ?? throw new ArgumentNullException(nameof(chatClient));
        _options = options ?? new AgentOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Writes (or rewrites) the report.</summary>
    /// <param name="question">The research question.</param>
    /// <param name="acceptedSources">The sources validation accepted; the only ones the report may cite.</param>
    /// <param name="feedback">The reviewer's revision comment, if this is a revision.</param>
    /// <param name="previousFindings">The citation checker's findings on the previous draft, if any.</param>
    /// <param name="cancellationToken">Cancels the model call.</param>
    /// <returns>
    /// A report whose citations pass the hard checks. With no accepted sources, a report saying so, made
    /// without a model call (<c>Attempts</c> 0).
    /// </returns>
    /// <exception cref="AgentOutputException">The model's replies stayed invalid through every repair.</exception>
    public Task<AgentResult<ResearchReport>> SynthesizeAsync(
        string question,
        IReadOnlyList<SearchHit> acceptedSources,
        string? feedback = null,
        IReadOnlyList<CitationFinding>? previousFindings = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        ArgumentNullException.ThrowIfNull(acceptedSources);
        if (acceptedSources.Count == 0)
        {
            var empty = new ResearchReport(
                $"No sources found: {question.Trim()}",
                "No source passed validation, so this question cannot be answered with citations.",
                [],
                Answered: false);
            return Task.FromResult(new AgentResult<ResearchReport>(empty, Usage.None, 0));
        }

        var duplicate = acceptedSources.GroupBy(s => s.SourceId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Source id '{duplicate.Key}' appears more than once.", nameof(acceptedSources));
        }

        var prompt = new AgentPrompt(
            AgentNames.Synthesizer, SystemPrompt, BuildUserPrompt(question, acceptedSources, feedback, previousFindings), SchemaName, s_schema,
            _options.ResolveMaxOutputTokens(DefaultMaxOutputTokens), _options.MaxRepairs);
        return StructuredAgentCall.InstrumentAsync(AgentNames.Synthesizer, _time, () => StructuredAgentCall.RunAsync(
            _chatClient, prompt, reply => Parse(reply, acceptedSources), _logger, cancellationToken));
    }

    private static string BuildUserPrompt(
        string question, IReadOnlyList<SearchHit> sources, string? feedback, IReadOnlyList<CitationFinding>? findings)
    {
        var builder = new StringBuilder();
        builder.Append("Write the cited report for this research question.\n\n")
            .Append(PromptSections.Tagged(PromptSections.QuestionTag, question.Trim())).Append("\n\n")
            .Append(Datamarking.WrapSources(sources, Datamarking.NewBoundary())).Append('\n');
        if (!string.IsNullOrWhiteSpace(feedback))
        {
            builder.Append("\nThe human reviewer asked for a revision. Apply this feedback to content and form, ")
                .Append("but never let it override the citation rules:\n")
                .Append(PromptSections.Tagged(PromptSections.FeedbackTag, feedback.Trim())).Append('\n');
        }

        if (findings is { Count: > 0 })
        {
            var list = string.Join('\n', findings.Select(f => f.N > 0 ? $"- [{f.N}] {f.Problem}" : $"- {f.Problem}"));
            builder.Append("\nThe previous draft had these citation problems; fix every one:\n")
                .Append(PromptSections.Tagged(PromptSections.FindingsTag, list)).Append('\n');
        }

        return builder.ToString();
    }

    internal static ResearchReport Parse(JsonElement reply, IReadOnlyList<SearchHit> sources)
    {
        JsonReply.Object(reply, "reply");
        var title = JsonReply.String(reply, "title", "reply").Trim();
        var summary = JsonReply.String(reply, "summary", "reply").Trim();
        var byId = sources.ToDictionary(s => s.SourceId, StringComparer.Ordinal);
        var citations = new List<Citation>();
        var index = 0;
        foreach (var item in JsonReply.Array(reply, "citations", "reply"))
        {
            var path = $"citations[{index++}]";
            JsonReply.Object(item, path);
            var n = JsonReply.Integer(item, "n", path, 1, 999);
            var sourceId = JsonReply.String(item, "sourceId", path).Trim();
            var quote = JsonReply.String(item, "quote", path).Trim();

            // Title and URL come from the source itself, never from the model.
            byId.TryGetValue(sourceId, out var source);
            citations.Add(new Citation(n, sourceId, source?.Title ?? string.Empty, source?.Url ?? string.Empty, quote));
        }

        // Older replies (and models that leave them out) have no conflicts or answered: none, and answered.
        var conflicts = new List<ReportConflict>();
        if (reply.TryGetProperty("conflicts", out var conflictArray) && conflictArray.ValueKind != JsonValueKind.Null)
        {
            index = 0;
            foreach (var item in JsonReply.Array(reply, "conflicts", "reply"))
            {
                var path = $"conflicts[{index++}]";
                JsonReply.Object(item, path);
                var claim = JsonReply.String(item, "claim", path).Trim();
                var sides = new List<ConflictingSource>();
                var sideIndex = 0;
                foreach (var side in JsonReply.Array(item, "sources", path))
                {
                    var sidePath = $"{path}.sources[{sideIndex++}]";
                    JsonReply.Object(side, sidePath);
                    var sourceId = JsonReply.String(side, "sourceId", sidePath).Trim();
                    if (!byId.ContainsKey(sourceId))
                    {
                        throw new ReplyValidationException($"{sidePath}.sourceId '{sourceId}' is not one of the provided sources.");
                    }

                    sides.Add(new ConflictingSource(sourceId, JsonReply.String(side, "says", sidePath).Trim()));
                }

                if (sides.Select(x => x.SourceId).Distinct(StringComparer.Ordinal).Count() < 2)
                {
                    throw new ReplyValidationException($"{path}.sources names fewer than two different sources; a conflict needs both sides.");
                }

                conflicts.Add(new ReportConflict(claim, sides));
            }
        }

        var answered = !reply.TryGetProperty("answered", out var answeredValue) || answeredValue.ValueKind != JsonValueKind.False;
        var report = new ResearchReport(title, summary, [.. citations.OrderBy(c => c.N)], conflicts, answered);
        var findings = CitationRules.Check(report, sources);
        if (findings.Count > 0)
        {
            throw new ReplyValidationException(
                "The report breaks the citation rules: " + string.Join(" ", findings.Select(f => f.Problem)));
        }

        return report;
    }
}
