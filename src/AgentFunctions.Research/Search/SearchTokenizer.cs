using System.Collections.Frozen;
using System.Text;

namespace AgentFunctions.Research.Search;

/// <summary>
/// Turns text into index terms: lower-cased runs of Unicode letters and digits, English stopwords removed,
/// each word reduced by a light suffix-stripping stemmer.
/// </summary>
/// <remarks>
/// The stemmer is deliberately light. It only has to make the inflections that questions and documents
/// actually disagree on (<c>caches</c>/<c>caching</c>/<c>cached</c>, <c>batteries</c>/<c>battery</c>) meet
/// on one term; it does not try to be linguistically correct, so its stems are not always words.
/// </remarks>
public static class SearchTokenizer
{
    // Function words plus the interrogatives and auxiliaries that questions are full of: left in, they match
    // every document and dilute the terms that carry the meaning.
    private static readonly FrozenSet<string> _stopwords = new[]
    {
        "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
        "because", "been", "before", "being", "between", "both", "but", "by", "can", "could", "did", "do",
        "does", "doing", "done", "each", "else", "for", "from", "further", "get", "gets", "got", "had", "has",
        "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it",
        "its", "itself", "just", "me", "might", "more", "most", "much", "must", "my", "no", "nor", "not", "of",
        "off", "on", "or", "other", "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some",
        "such", "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this",
        "those", "to", "too", "under", "until", "up", "us", "very", "was", "we", "were", "what", "when",
        "where", "whether", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
        "yours",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="word"/> (already lower-cased) is dropped as a stopword.</summary>
    /// <param name="word">A lower-cased word.</param>
    /// <returns>True for stopwords.</returns>
    public static bool IsStopword(string word) => _stopwords.Contains(word);

    /// <summary>Splits <paramref name="text"/> into index terms, in order of appearance, duplicates kept.</summary>
    /// <param name="text">Any text.</param>
    /// <returns>The stemmed, lower-cased, non-stopword terms.</returns>
    public static IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var terms = new List<string>();
        var word = new StringBuilder(32);
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune))
            {
                word.Append(Rune.ToLowerInvariant(rune).ToString());
                continue;
            }

            Flush(word, terms);
        }

        Flush(word, terms);
        return terms;
    }

    /// <summary>Reduces a lower-cased word to its stem: plural, <c>-ing</c> and <c>-ed</c> endings and a final <c>e</c> removed.</summary>
    /// <param name="word">A lower-cased word.</param>
    /// <returns>The stem; words of three characters or fewer and words containing digits are returned unchanged.</returns>
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length <= 3 || word.Any(char.IsDigit))
        {
            return word;
        }

        var stem = StripSuffix(word);

        // Dropping a final "e" after suffix stripping makes store/stored/storing/stores meet on "stor".
        if (stem.Length > 3 && stem[^1] == 'e' && stem[^2] != 'e')
        {
            stem = stem[..^1];
        }

        return stem;
    }

    private static string StripSuffix(string word)
    {
        if (word.EndsWith("ies", StringComparison.Ordinal) || word.EndsWith("ied", StringComparison.Ordinal))
        {
            return word.Length > 4 ? word[..^3] + "y" : word[..^1];
        }

        if (word.EndsWith("sses", StringComparison.Ordinal))
        {
            return word[..^2];
        }

        if (word.EndsWith("ing", StringComparison.Ordinal))
        {
            return HasVowel(word.AsSpan(0, word.Length - 3)) && word.Length - 3 >= 3 ? Undouble(word[..^3]) : word;
        }

        if (word.EndsWith("ed", StringComparison.Ordinal) && !word.EndsWith("eed", StringComparison.Ordinal))
        {
            return HasVowel(word.AsSpan(0, word.Length - 2)) && word.Length - 2 >= 3 ? Undouble(word[..^2]) : word;
        }

        // "ss", "us" and "is" endings are not plurals (loss, status, analysis).
        if (word[^1] == 's' && word[^2] is not ('s' or 'u' or 'i'))
        {
            return word[..^1];
        }

        return word;
    }

    // planning -> plann -> plan; but keep "ll", "ss", "zz" (install, process) which are usually part of the root.
    private static string Undouble(string stem) =>
        stem.Length >= 4 && stem[^1] == stem[^2] && stem[^1] is not ('l' or 's' or 'z') && !IsVowel(stem[^1])
            ? stem[..^1]
            : stem;

    private static bool HasVowel(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (IsVowel(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u' or 'y';

    private static void Flush(StringBuilder word, List<string> terms)
    {
        if (word.Length == 0)
        {
            return;
        }

        var text = word.ToString();
        word.Clear();

        // Single letters are noise (the "s" of a possessive, initials); single digits can matter ("4 hours").
        if ((text.Length == 1 && !char.IsDigit(text[0])) || IsStopword(text))
        {
            return;
        }

        terms.Add(Stem(text));
    }
}
