namespace AgentFunctions.Research.Models;

/// <summary>
/// How well a source supports a question, judged on concepts (words mapped through <see cref="OfflineThesaurus"/>)
/// rather than shared spellings: by the whole text (is it about the question?), by its best passage of two adjacent
/// sentences (does some part of it address what is asked?) and by its title (is that its subject?).
/// </summary>
/// <param name="Relevance">The blend of the three coverages, in [0, 1], rounded to two places.</param>
/// <param name="Passage">Weighted coverage of the question by the best passage, in [0, 1].</param>
/// <param name="Matched">The question's words whose concept the source has anywhere.</param>
/// <param name="PassageMatched">The question's words whose concept the best passage has.</param>
/// <param name="Wanted">How many concepts the question has.</param>
internal sealed record Support(double Relevance, double Passage, IReadOnlyList<string> Matched, IReadOnlyList<string> PassageMatched, int Wanted)
{
    /// <summary>What a passage that fully answers one part of a multi-part question is worth, against the whole.</summary>
    public const double FacetDiscount = 0.7;

    /// <summary>Judges one source against a question.</summary>
    public static Support Judge(string question, string title, IReadOnlyList<string> sentences)
    {
        var wanted = Weights(question);
        if (wanted.Count == 0)
        {
            return new Support(0, 0, [], [], 0);
        }

        var titleConcepts = OfflineText.Concepts(title);
        var sentenceConcepts = sentences.Select(OfflineText.Concepts).ToList();
        var body = new HashSet<string>(sentenceConcepts.SelectMany(c => c));
        body.UnionWith(titleConcepts);

        // A question with several parts ("how often ..., and what do codes require?") is supported by a passage that
        // answers one part well, at a discount for the parts it leaves to other sources.
        var facets = OfflineText.Facets(question).Select(Weights).Where(f => f.Count >= 2 && f.Count < wanted.Count && f.Values.Sum() >= 1.5).ToList();
        var bestPassage = 0.0;
        HashSet<string> bestConcepts = [];
        for (var i = 0; i < sentenceConcepts.Count; i++)
        {
            var window = new HashSet<string>(sentenceConcepts[i]);
            if (i + 1 < sentenceConcepts.Count)
            {
                window.UnionWith(sentenceConcepts[i + 1]);
            }

            var coverage = OfflineText.WeightedCoverage(wanted, window);
            foreach (var facet in facets)
            {
                coverage = Math.Max(coverage, FacetDiscount * OfflineText.WeightedCoverage(facet, window));
            }

            if (coverage > bestPassage)
            {
                bestPassage = coverage;
                bestConcepts = window;
            }
        }

        var document = OfflineText.WeightedCoverage(wanted, body);
        var inTitle = OfflineText.WeightedCoverage(wanted, titleConcepts);
        var relevance = Math.Round(Math.Min(1, (0.45 * document) + (0.4 * bestPassage) + (0.15 * inTitle)), 2);
        var words = OfflineText.Keywords(question);
        return new Support(
            relevance,
            bestPassage,
            [.. words.Where(w => body.Contains(ConceptOf(w)))],
            [.. words.Where(w => bestConcepts.Contains(ConceptOf(w)))],
            wanted.Count);
    }

    /// <summary>
    /// The question's concepts with their weights: a concept the thesaurus knows, or a long word, names the subject
    /// and weighs 1; an everyday word ("team", "keep", "huge") weighs 0.3 and a short unknown one 0.6, so neither can
    /// carry a match alone.
    /// </summary>
    public static Dictionary<string, double> Weights(string question)
    {
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var word in OfflineText.Keywords(OfflineThesaurus.JoinPhrases(question)))
        {
            var stem = OfflineText.Stem(word.ToLowerInvariant());
            var concept = OfflineThesaurus.Concept(stem);
            var weight = OfflineText.IsGeneric(stem) ? 0.3
                : concept != stem || stem.Length >= 5 || IsSalient(question, word) ? 1.0
                : 0.6;
            weights[concept] = Math.Max(weights.GetValueOrDefault(concept), weight);
        }

        return weights;
    }

    /// <summary>
    /// The question's names: words capitalized mid-sentence, acronyms and words with digits ("Lyme", "QUIC", "HTTP/3").
    /// A question about a named thing is answered only by a source that names it.
    /// </summary>
    public static IReadOnlyList<string> Names(string question) =>
        [.. OfflineText.Keywords(question).Where(w => IsSalient(question, w)).Select(w => OfflineThesaurus.Concept(OfflineText.Stem(w.ToLowerInvariant())))];

    private static bool IsSalient(string question, string word)
    {
        var first = question.TrimStart().StartsWith(word, StringComparison.Ordinal);
        return word.Any(char.IsDigit) || word.Count(char.IsUpper) >= 2 || (!first && char.IsUpper(word[0]));
    }

    private static string ConceptOf(string word) => OfflineThesaurus.Concept(OfflineText.Stem(word.ToLowerInvariant()));
}
