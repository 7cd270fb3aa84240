using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AgentFunctions.Research.Contracts;

namespace AgentFunctions.Research.Agents;

/// <summary>
/// The hard citation rules, in code so no model can talk its way past them: every marker resolves, every
/// citation is referenced, every cited source is one of the given sources, every quote appears verbatim
/// (whitespace-normalized) in its source.
/// </summary>
internal static partial class CitationRules
{
    /// <summary>The marker numbers in a summary, in order of appearance; <c>[1]</c> and <c>[1, 2]</c> both count.</summary>
    public static IReadOnlyList<int> Markers(string summary)
    {
        var numbers = new List<int>();
        foreach (Match match in Marker().Matches(summary))
        {
            foreach (var part in match.Groups["list"].Value.Split(','))
            {
                if (int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    numbers.Add(n);
                }
            }
        }

        return numbers;
    }

    /// <summary>Collapses every whitespace run to one space and trims.</summary>
    public static string NormalizeWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>Whether <paramref name="quote"/> appears verbatim in <paramref name="content"/>, whitespace aside.</summary>
    public static bool AppearsVerbatim(string quote, string content)
    {
        var normalized = NormalizeWhitespace(quote);
        return normalized.Length > 0 && NormalizeWhitespace(content).Contains(normalized, StringComparison.Ordinal);
    }

    /// <summary>Every problem of a draft against its sources; empty when it passes.</summary>
    public static IReadOnlyList<CitationFinding> Check(ResearchReport draft, IReadOnlyList<SearchHit> sources)
    {
        var findings = new List<CitationFinding>();
        if (string.IsNullOrWhiteSpace(draft.Summary))
        {
            findings.Add(new(0, "The summary is empty."));
        }

        // A report that says the sources do not answer the question may cite nothing; an answer may not.
        if (draft.Citations.Count == 0 && sources.Count > 0 && draft.Answered)
        {
            findings.Add(new(0, "The report cites none of the sources; support its claims with [n] markers and citations."));
        }

        var markers = Markers(draft.Summary ?? string.Empty).ToHashSet();
        var byId = new Dictionary<string, SearchHit>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            byId.TryAdd(source.SourceId, source);
        }

        var seen = new HashSet<int>();
        foreach (var citation in draft.Citations)
        {
            if (citation.N < 1)
            {
                findings.Add(new(citation.N, $"Citation number {citation.N} is invalid; numbers start at 1."));
            }

            if (!seen.Add(citation.N))
            {
                findings.Add(new(citation.N, $"Citation number {citation.N} is used by more than one citation."));
            }

            if (!markers.Contains(citation.N))
            {
                findings.Add(new(citation.N, $"Citation [{citation.N}] is never referenced in the summary."));
            }

            if (!byId.TryGetValue(citation.SourceId, out var source))
            {
                findings.Add(new(citation.N, $"Citation [{citation.N}] cites unknown source '{citation.SourceId}'; cite only the given sources."));
                continue;
            }

            if (string.IsNullOrWhiteSpace(citation.Quote))
            {
                findings.Add(new(citation.N, $"Citation [{citation.N}] has no quote."));
            }
            else if (!AppearsVerbatim(citation.Quote, source.Content))
            {
                findings.Add(new(citation.N, $"Citation [{citation.N}] quote does not appear verbatim in source '{citation.SourceId}': \"{Shorten(citation.Quote)}\". Copy the passage exactly."));
            }
        }

        foreach (var n in markers.Where(n => !seen.Contains(n)).Order())
        {
            findings.Add(new(n, $"Marker [{n}] in the summary has no citation."));
        }

        return findings;
    }

    /// <summary>The sentence of <paramref name="summary"/> that carries marker <paramref name="n"/>, markers removed.</summary>
    public static string ClaimFor(string summary, int n)
    {
        foreach (var sentence in SentenceEnd().Split(summary))
        {
            if (Markers(sentence).Contains(n))
            {
                return NormalizeWhitespace(Marker().Replace(sentence, string.Empty));
            }
        }

        return string.Empty;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "...";

    [GeneratedRegex(@"\[(?<list>\d{1,3}(?:\s*,\s*\d{1,3})*)\]", RegexOptions.CultureInvariant)]
    private static partial Regex Marker();

    // A sentence ends after its markers: "... claim. [2] Next ..." keeps [2] with "claim".
    [GeneratedRegex(@"(?<=[.!?](?:\s*\[\d{1,3}(?:\s*,\s*\d{1,3})*\])*)\s+(?=[A-Z0-9""(])", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceEnd();
}
