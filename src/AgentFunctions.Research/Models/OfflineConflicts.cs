using System.Globalization;
using System.Text.RegularExpressions;

namespace AgentFunctions.Research.Models;

/// <summary>
/// How the offline model notices that two sources disagree: two sentences from different sources about the same
/// thing (several shared concepts) that state figures for the same unit which do not overlap ("10 to 15 years" and
/// "three to four years"), or that take opposite stances (one negates or inverts what the other asserts).
/// </summary>
internal static partial class OfflineConflicts
{
    /// <summary>Shared concepts two sentences need before they count as talking about the same thing.</summary>
    public const int MinSharedConcepts = 3;

    /// <summary>Words before a figure taken as what it measures.</summary>
    private const int SubjectWords = 8;

    private static readonly Dictionary<string, double> s_numberWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["one"] = 1, ["two"] = 2, ["three"] = 3, ["four"] = 4, ["five"] = 5, ["six"] = 6, ["seven"] = 7, ["eight"] = 8,
        ["nine"] = 9, ["ten"] = 10, ["eleven"] = 11, ["twelve"] = 12, ["fifteen"] = 15, ["twenty"] = 20, ["thirty"] = 30,
        ["forty"] = 40, ["fifty"] = 50, ["a few"] = 3, ["several"] = 4,
    };

    /// <summary>Whether two sentences disagree; <paramref name="claim"/> names what they disagree on.</summary>
    public static bool Disagree(string first, string second, out string claim)
    {
        claim = string.Empty;
        var a = OfflineText.Concepts(first);
        var b = OfflineText.Concepts(second);
        var shared = a.Where(b.Contains).Where(c => !char.IsDigit(c[0]) && !s_numberWords.ContainsKey(c)).ToList();
        if (shared.Count < MinSharedConcepts)
        {
            return false;
        }

        var subject = string.Join(", ", OfflineText.Keywords(first)
            .Where(k => shared.Contains(OfflineThesaurus.Concept(OfflineText.Stem(k.ToLowerInvariant()))))
            .Take(4)
            .Select(k => k.ToLowerInvariant()));
        var left = Quantities(first);
        var right = Quantities(second);
        foreach (var x in left)
        {
            foreach (var y in right)
            {
                if (x.Unit == y.Unit && (x.High * 1.05 < y.Low || y.High * 1.05 < x.Low) && x.Subject.Count(y.Subject.Contains) >= 2)
                {
                    claim = $"{subject}: the figures differ ({x.Text} versus {y.Text})";
                    return true;
                }
            }
        }

        var jaccard = (double)shared.Count / a.Union(b).Count();
        if (shared.Count >= 4 && jaccard >= 0.22 && Negates(first) != Negates(second))
        {
            claim = $"{subject}: one source asserts what the other denies";
            return true;
        }

        foreach (var (one, other) in s_opposites)
        {
            if (shared.Count >= 3 && ((one.IsMatch(first) && other.IsMatch(second) && !other.IsMatch(first) && !one.IsMatch(second))
                || (other.IsMatch(first) && one.IsMatch(second) && !one.IsMatch(first) && !other.IsMatch(second))))
            {
                claim = $"{subject}: the sources take opposite positions";
                return true;
            }
        }

        return false;
    }

    // Opposite positions in general terms: what one source says happens once, the other says can happen again;
    // what one says outweighs, the other says is small next to it.
    private static readonly (Regex One, Regex Other)[] s_opposites =
    [
        (Words("exactly-once|exactly once|only once|never (?:execute|run)s? (?:\\S+ ){0,3}twice"), Words("at-least-once|at least once|more than once|run twice|ran twice")),
        (Words("outweighs?|exceeds?|more than (?:offsets?|cancels?)"), Words("small compared|offsetting|offsets? (?:only )?\\d+|a fraction of")),
        (Words("unnecessary|not needed|no longer need"), Words("need|needs|required|requires|essential")),
    ];

    private static Regex Words(string alternatives) =>
        new($@"\b(?:{alternatives})\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static bool Negates(string sentence) => Negation().IsMatch(sentence);

    /// <summary>
    /// The figures of a sentence with what each measures: the concepts of the words just before it ("round-trip
    /// efficiency of flow battery systems is typically" 65 to 75 percent), everyday words left out.
    /// </summary>
    private static List<(double Low, double High, string Unit, string Text, HashSet<string> Subject)> Quantities(string sentence)
    {
        var found = new List<(double, double, string, string, HashSet<string>)>();
        foreach (Match match in Quantity().Matches(sentence))
        {
            if (!TryNumber(match.Groups["low"].Value, out var low))
            {
                continue;
            }

            var high = match.Groups["high"].Success && TryNumber(match.Groups["high"].Value, out var h) ? h : low;
            var unit = match.Groups["unit"].Value.ToLowerInvariant().TrimEnd('s');
            var preceding = sentence[..match.Index].Split(' ', StringSplitOptions.RemoveEmptyEntries).TakeLast(SubjectWords);
            var subject = OfflineText.Concepts(string.Join(' ', preceding));
            subject.RemoveWhere(c => OfflineText.IsGeneric(c) || char.IsDigit(c[0]));
            found.Add((Math.Min(low, high), Math.Max(low, high), unit == "%" ? "percent" : unit, match.Value.Trim(), subject));
        }

        return found;
    }

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text.Replace(",", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out value)
        || s_numberWords.TryGetValue(text, out value);

    [GeneratedRegex(
        @"(?<low>\d[\d,]*(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|a few|several)(?:\s*(?:to|-|–|or)\s*(?<high>\d[\d,]*(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty))?\s*(?<unit>percent|%|years?|months?|weeks?|days?|hours?|minutes?|seconds?|degrees?|cycles?)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Quantity();

    [GeneratedRegex(@"\b(?:no|not|never|none|nothing|unnecessary|cannot|neither|nor)\b|n't\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Negation();
}
