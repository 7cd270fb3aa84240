using System.Text.RegularExpressions;

namespace AgentFunctions.Research.Models;

/// <summary>The small lexical toolkit behind the offline model: words, terms, sentences, overlap.</summary>
internal static partial class OfflineText
{
    private static readonly HashSet<string> s_stopWords = new(StringComparer.Ordinal)
    {
        "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
        "because", "been", "before", "being", "best", "between", "both", "but", "by", "can", "could", "did", "do",
        "does", "doing", "during", "each", "explain", "few", "for", "from", "further", "get", "gets", "had", "has",
        "have", "having", "he", "her", "here", "how", "i", "if", "in", "into", "is", "it", "its", "just", "like",
        "make", "many", "me", "more", "most", "much", "my", "need", "no", "nor", "not", "of", "off", "on", "once",
        "one", "only", "or", "other", "our", "out", "over", "own", "same", "she", "should", "so", "some", "such",
        "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through", "to",
        "too", "under", "until", "up", "use", "used", "using", "very", "was", "way", "ways", "we", "were", "what",
        "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "work",
        "works", "handle", "handles", "happen", "happens", "difference", "differences", "compare", "versus", "vs",
        "tell", "know", "there", "thing", "things", "s", "t", "etc", "e", "g", "ie", "eg",
    };

    // Everyday words that are not stop words but rarely name what a question is about ("keep", "huge", "team",
    // "often"): general English, stemmed as Stem leaves them. They count for less when weighing a question.
    private static readonly HashSet<string> s_generic = new(StringComparer.Ordinal)
    {
        "able", "accord", "across", "act", "actual", "actually", "add", "affect", "ago", "allow", "almost", "already",
        "always", "among", "amount", "another", "answer", "anyone", "anything", "appear", "approach", "area", "around",
        "ask", "avoid", "away", "back", "bad", "become", "begin", "behind", "believe", "better", "big", "bit", "bring",
        "build", "call", "carry", "case", "cause", "certain", "chang", "change", "check", "choose", "claim", "clear",
        "come", "common", "consider", "continue", "count", "current", "cut", "deal", "decide", "depend", "describe",
        "differ", "different", "do", "done", "drive", "easy", "effect", "either", "else", "end", "enough", "entire",
        "even", "ever", "every", "everyone", "everything", "exact", "example", "expect", "fact", "fall", "far", "feel",
        "find", "fine", "first", "follow", "form", "found", "free", "full", "general", "give", "go", "goe", "going",
        "good", "great", "group", "grow", "happen", "hard", "help", "high", "hold", "huge", "idea", "important",
        "include", "increase", "instead", "issue", "keep", "kind", "large", "last", "late", "later", "lead", "least",
        "leave", "less", "let", "level", "likely", "line", "little", "live", "long", "look", "lose", "lot", "low",
        "main", "major", "mak", "make", "matter", "mean", "might", "mind", "move", "must", "near", "nearly", "never",
        "new", "next", "number", "often", "old", "open", "order", "part", "people", "person", "place", "play", "point", "possible",
        "problem", "process", "provide", "put", "quick", "quickly", "rather", "real", "really", "reason", "reduce",
        "remain", "require", "result", "right", "rise", "run", "runn", "safe", "safely", "say", "see", "seem", "set",
        "several", "show", "side", "simple", "since", "small", "something", "sometime", "start", "stay", "step",
        "still", "stop", "stopp", "sure", "survive", "take", "team", "term", "true", "try", "turn", "type", "typical",
        "usual", "usually", "want", "well", "whole", "without", "worse", "worth", "wrong", "year", "yet",
    };

    /// <summary>Whether a stemmed word is an everyday word that rarely names a subject.</summary>
    public static bool IsGeneric(string stem) => s_generic.Contains(stem);

    /// <summary>Content words of a text in their original spelling and order, duplicates removed.</summary>
    public static IReadOnlyList<string> Keywords(string text)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var keywords = new List<string>();
        foreach (Match match in Word().Matches(text))
        {
            var lower = match.Value.ToLowerInvariant();
            if (lower.Length >= 2 && !s_stopWords.Contains(lower) && seen.Add(Stem(lower)))
            {
                keywords.Add(match.Value);
            }
        }

        return keywords;
    }

    /// <summary>The distinct stemmed terms of a text.</summary>
    public static HashSet<string> Terms(string text) =>
        [.. Keywords(text).Select(word => Stem(word.ToLowerInvariant()))];

    /// <summary>The distinct concepts of a text: its stemmed terms, each mapped through <see cref="OfflineThesaurus"/>.</summary>
    public static HashSet<string> Concepts(string text) =>
        [.. Keywords(OfflineThesaurus.JoinPhrases(text)).Select(word => OfflineThesaurus.Concept(Stem(word.ToLowerInvariant())))];

    /// <summary>A light suffix stripper: plurals and a few verb endings, enough to match "retries" with "retry".</summary>
    public static string Stem(string word)
    {
        if (word.Length > 4 && word.EndsWith("ies", StringComparison.Ordinal))
        {
            return word[..^3] + "y";
        }

        if (word.Length > 5 && word.EndsWith("ing", StringComparison.Ordinal))
        {
            return word[..^3];
        }

        if (word.Length > 4 && word.EndsWith("ed", StringComparison.Ordinal))
        {
            return word[..^2];
        }

        if (word.Length > 4 && (word.EndsWith("ses", StringComparison.Ordinal) || word.EndsWith("xes", StringComparison.Ordinal)
            || word.EndsWith("shes", StringComparison.Ordinal) || word.EndsWith("ches", StringComparison.Ordinal) || word.EndsWith("zes", StringComparison.Ordinal)))
        {
            return word[..^2];
        }

        return word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) ? word[..^1] : word;
    }

    /// <summary>Share of <paramref name="wanted"/> terms present in <paramref name="have"/>, in [0, 1].</summary>
    public static double Coverage(IReadOnlySet<string> wanted, IReadOnlySet<string> have) =>
        wanted.Count == 0 ? 0 : (double)wanted.Count(have.Contains) / wanted.Count;

    /// <summary>
    /// Weights for the <paramref name="wanted"/> terms by how few of <paramref name="documents"/> contain them
    /// (a smoothed inverse document frequency): a term in every document weighs about ln 2, a term in one of many
    /// weighs several times that. Terms in no document keep the weight of the rarest, so they still count as missing.
    /// </summary>
    public static Dictionary<string, double> RarityWeights(IReadOnlySet<string> wanted, IReadOnlyList<IReadOnlySet<string>> documents)
    {
        var n = documents.Count;
        return wanted.ToDictionary(
            t => t,
            t => Math.Log(1 + ((n + 1) / (Math.Max(1, documents.Count(d => d.Contains(t))) + 0.5))),
            StringComparer.Ordinal);
    }

    /// <summary>
    /// The weighted share of the <paramref name="weights"/> terms present in <paramref name="have"/>, in [0, 1];
    /// terms in <paramref name="except"/> count as absent (already covered elsewhere).
    /// </summary>
    public static double WeightedCoverage(IReadOnlyDictionary<string, double> weights, IReadOnlySet<string> have, IReadOnlySet<string>? except = null)
    {
        var total = weights.Values.Sum();
        if (total <= 0)
        {
            return 0;
        }

        var found = weights.Where(w => have.Contains(w.Key) && except?.Contains(w.Key) != true).Sum(w => w.Value);
        return found / total;
    }

    /// <summary>
    /// The sentences of a text as exact substrings of it (so they can be quoted verbatim), split at sentence
    /// ends and line breaks.
    /// </summary>
    public static IReadOnlyList<string> Sentences(string text)
    {
        var sentences = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            foreach (var part in SentenceBreak().Split(line))
            {
                var sentence = part.Trim();
                if (sentence.Length > 0)
                {
                    sentences.Add(sentence);
                }
            }
        }

        return sentences;
    }

    /// <summary>The parts of a question joined by "and", "or", "vs", commas and the like, each trimmed; the whole when it has one part.</summary>
    public static IReadOnlyList<string> Facets(string question) =>
        [.. FacetSplit().Split(question).Select(f => f.Trim()).Where(f => f.Length > 0)];

    /// <summary>Roughly four characters per token, as for English text with GPT tokenizers.</summary>
    public static int EstimateTokens(int characters) => Math.Max(1, (characters + 3) / 4);

    // The o200k_base encoding of current GPT models, loaded once from the data package (in memory, no I/O after).
    private static readonly Lazy<Microsoft.ML.Tokenizers.Tokenizer> s_o200k = new(() => Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("o200k_base"));

    /// <summary>Tokens of <paramref name="text"/> under o200k_base, the tokenizer the Azure OpenAI models bill by.</summary>
    public static int CountTokens(string text) => string.IsNullOrEmpty(text) ? 0 : s_o200k.Value.CountTokens(text);

    [GeneratedRegex(@"\s*(?:,|;|\band\b|\bor\b|\bvs\.?|\bversus\b|\bcompared (?:to|with)\b)\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FacetSplit();

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}+#.-]*[\p{L}\p{N}+#]|[\p{L}\p{N}]", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[""'(\[]?[A-Z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceBreak();
}
