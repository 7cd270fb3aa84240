using System.Text.Json;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Guards;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Research.Agents;

/// <summary>
/// Checks a draft's citations against its sources. The hard checks are code (markers resolve, citations are
/// referenced, sources exist, quotes are verbatim); when <see cref="CitationCheckerOptions.VerifySupportWithModel"/>
/// is on and the hard checks pass, one budgeted model call also judges whether each quote supports its claim.
/// </summary>
public sealed class CitationCheckerAgent
{
    /// <summary>Output token cap per support-check call when the options leave it unset.</summary>
    public const int DefaultMaxOutputTokens = 500;

    /// <summary>The name of the support check's JSON schema.</summary>
    public const string SchemaName = "citation_support";

    /// <summary>Separates the claim from the quote inside one delimited citation block.</summary>
    internal const string QuoteSeparator = "\nQUOTE: ";

    internal const string ClaimPrefix = "CLAIM: ";

    internal static readonly string SystemPrompt = $$"""
        You are the citation checker of a research pipeline. For each citation you get a claim from a report and
        the quote offered as its evidence. Decide whether the quote supports the claim.

        {{Datamarking.DataOnlyRule}}

        Rules:
        - supported is true only when the quote states or directly implies the claim.
        - problem says briefly what is missing when supported is false, and is "" otherwise.
        - Return exactly one judgement per citation, with the citation's n.

        Output: only a JSON object, no prose, no Markdown:
        {"judgements": [{"n": 1, "supported": true|false, "problem": "<why not, or empty>"}]}
        """;

    private static readonly JsonElement s_schema = AgentPrompt.ParseSchema("""
        {
          "type": "object",
          "properties": {
            "judgements": {
              "type": "array",
              "items": {
                "type": "object",
                "properties": {
                  "n": { "type": "integer" },
                  "supported": { "type": "boolean" },
                  "problem": { "type": "string" }
                },
                "required": ["n", "supported", "problem"],
                "additionalProperties": false
              }
            }
          },
          "required": ["judgements"],
          "additionalProperties": false
        }
        """);

    private readonly IChatClient _chatClient;
    private readonly CitationCheckerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the checker.</summary>
    /// <param name="chatClient">The model, used only for the optional support check.</param>
    /// <param name="options">Whether to run the support check, and its limits; code checks only when null.</param>
    /// <param name="timeProvider">Clock for latency metrics; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Logger; none when null.</param>
    public CitationCheckerAgent(IChatClient chatClient, CitationCheckerOptions? options = null, TimeProvider? timeProvider = null, ILogger<CitationCheckerAgent>? logger = null)
    {
        _chatClient = chatClient ?? throw new ArgumentNullException(nameof(chatClient));
        _options = options ?? new CitationCheckerOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Checks a draft.</summary>
    /// <param name="draft">The synthesizer's report.</param>
    /// <param name="sources">The sources the report may cite (the accepted ones).</param>
    /// <param name="cancellationToken">Cancels the model call, if any.</param>
    /// <returns>Passed with no findings, or every problem found; <c>Attempts</c> 0 when no model call was made.</returns>
    /// <exception cref="AgentOutputException">The support check's replies stayed invalid through every repair.</exception>
    public Task<AgentResult<CitationCheck>> CheckAsync(ResearchReport draft, IReadOnlyList<SearchHit> sources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(sources);
        return StructuredAgentCall.InstrumentAsync(AgentNames.CitationChecker, _time, async () =>
        {
            var findings = CitationRules.Check(draft, sources);
            if (findings.Count > 0 || !_options.VerifySupportWithModel || draft.Citations.Count == 0)
            {
                return new AgentResult<CitationCheck>(new CitationCheck(findings.Count == 0, findings), Usage.None, 0);
            }

            var pairs = draft.Citations.Select(c => new SearchHit(
                c.N.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"citation {c.N}",
                c.Url,
                null,
                ClaimPrefix + CitationRules.ClaimFor(draft.Summary, c.N) + QuoteSeparator + CitationRules.NormalizeWhitespace(c.Quote),
                0,
                string.Empty)).ToList();
            var userPrompt = $"""
                Judge whether each quote supports its claim. Each block holds one citation (its id is the citation's n).

                {Datamarking.WrapSources(pairs, Datamarking.NewBoundary())}
                """;
            var prompt = new AgentPrompt(
                AgentNames.CitationChecker, SystemPrompt, userPrompt, SchemaName, s_schema,
                _options.ResolveMaxOutputTokens(DefaultMaxOutputTokens), _options.MaxRepairs);
            var expected = draft.Citations.Select(c => c.N).ToHashSet();
            var result = await StructuredAgentCall.RunAsync(_chatClient, prompt, reply => ParseSupport(reply, expected), _logger, cancellationToken);
            return new AgentResult<CitationCheck>(new CitationCheck(result.Value.Count == 0, result.Value), result.Usage, result.Attempts);
        });
    }

    internal static IReadOnlyList<CitationFinding> ParseSupport(JsonElement reply, IReadOnlySet<int> expected)
    {
        JsonReply.Object(reply, "reply");
        var findings = new List<CitationFinding>();
        var seen = new HashSet<int>();
        var index = 0;
        foreach (var item in JsonReply.Array(reply, "judgements", "reply"))
        {
            var path = $"judgements[{index++}]";
            JsonReply.Object(item, path);
            var n = JsonReply.Integer(item, "n", path, 1, 999);
            var supported = JsonReply.Boolean(item, "supported", path);
            var problem = JsonReply.String(item, "problem", path, allowEmpty: true).Trim();
            if (!expected.Contains(n))
            {
                throw new ReplyValidationException($"{path}.n is {n}, which is not one of the citations ({string.Join(", ", expected.Order())}).");
            }

            if (!seen.Add(n))
            {
                throw new ReplyValidationException($"{path}.n repeats citation {n}; give one judgement per citation.");
            }

            if (!supported)
            {
                findings.Add(new CitationFinding(n, $"The quote of [{n}] does not support its claim: {(problem.Length > 0 ? problem : "no reason given")}"));
            }
        }

        var missing = expected.Where(n => !seen.Contains(n)).Order().ToList();
        if (missing.Count > 0)
        {
            throw new ReplyValidationException($"judgements lacks citation(s) {string.Join(", ", missing)}; judge every citation.");
        }

        return findings;
    }
}
