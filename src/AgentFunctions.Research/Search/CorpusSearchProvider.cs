using System.Collections.Frozen;
using AgentFunctions.Research.Contracts;

namespace AgentFunctions.Research.Search;

/// <summary>
/// Ranked retrieval over an in-memory corpus with BM25F: title and body are separate fields, each
/// length-normalized against its own average, and a title occurrence weighs <see cref="CorpusSearchOptions.TitleBoost"/>
/// times a body occurrence.
/// </summary>
/// <remarks>
/// The inverted index is built once in the constructor and never changes, so searches are lock-free and safe
/// from any number of threads. Because a term's contribution to a document's score does not depend on the
/// query, each posting stores that contribution precomputed; a search is a sum over the postings of its terms.
/// Ties are broken by ordinal document id, so results are identical from run to run.
/// </remarks>
public sealed class CorpusSearchProvider : ISearchProvider
{
    private readonly CorpusDocument[] _documents;
    private readonly FrozenDictionary<string, Posting[]> _postings;

    /// <summary>Indexes <paramref name="documents"/>.</summary>
    /// <param name="documents">The corpus; ids must be unique.</param>
    /// <param name="options">Ranking parameters; <see cref="CorpusSearchOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentException">Two documents share an id.</exception>
    public CorpusSearchProvider(IEnumerable<CorpusDocument> documents, CorpusSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        Options = options ?? CorpusSearchOptions.Default;
        Options.Validate();

        _documents = [.. documents.OrderBy(d => d.Id, StringComparer.Ordinal)];
        for (var i = 1; i < _documents.Length; i++)
        {
            if (string.Equals(_documents[i - 1].Id, _documents[i].Id, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Two corpus documents have id '{_documents[i].Id}'; ids must be unique.", nameof(documents));
            }
        }

        _postings = BuildIndex(_documents, Options);
    }

    /// <inheritdoc />
    public string Name => "corpus";

    /// <summary>The ranking parameters in use.</summary>
    public CorpusSearchOptions Options { get; }

    /// <summary>The indexed documents, ordered by id.</summary>
    public IReadOnlyList<CorpusDocument> Documents => _documents;

    /// <summary>The number of distinct terms in the index.</summary>
    public int TermCount => _postings.Count;

    /// <summary>Loads the corpus in <paramref name="directory"/> with <see cref="CorpusLoader"/> and indexes it.</summary>
    /// <param name="directory">The corpus folder.</param>
    /// <param name="options">Ranking parameters; defaults when null.</param>
    /// <returns>The provider.</returns>
    public static CorpusSearchProvider FromDirectory(string directory, CorpusSearchOptions? options = null) =>
        new(CorpusLoader.LoadDirectory(directory), options);

    /// <inheritdoc />
    public Task<IReadOnlyList<SearchHit>> SearchAsync(string query, int top, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Search(query, top));
    }

    /// <summary>Runs one query synchronously; see <see cref="SearchAsync"/>.</summary>
    /// <param name="query">The query text.</param>
    /// <param name="top">The maximum number of hits; must be positive.</param>
    /// <returns>The hits with a positive score, best first, ties by ordinal id.</returns>
    public IReadOnlyList<SearchHit> Search(string query, int top)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);

        // A term repeated in the query counts once: a question that says "cache" three times is not three
        // times more about caching, and counting it would let verbose queries drown their other terms.
        var terms = SearchTokenizer.Tokenize(query).Distinct(StringComparer.Ordinal);
        var scores = new double[_documents.Length];
        var matched = false;
        foreach (var term in terms)
        {
            if (!_postings.TryGetValue(term, out var postings))
            {
                continue;
            }

            matched = true;
            foreach (var posting in postings)
            {
                scores[posting.Document] += posting.Weight;
            }
        }

        if (!matched)
        {
            return [];
        }

        var ranked = new List<int>();
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] > 0)
            {
                ranked.Add(i);
            }
        }

        // Documents are stored in id order, so comparing indexes breaks score ties by ordinal id.
        ranked.Sort((x, y) =>
        {
            var byScore = scores[y].CompareTo(scores[x]);
            return byScore != 0 ? byScore : x.CompareTo(y);
        });

        var count = Math.Min(top, ranked.Count);
        var hits = new SearchHit[count];
        for (var i = 0; i < count; i++)
        {
            var document = _documents[ranked[i]];
            hits[i] = new SearchHit(document.Id, document.Title, document.Url.OriginalString, document.Date, document.Body, scores[ranked[i]], query);
        }

        return hits;
    }

    private static FrozenDictionary<string, Posting[]> BuildIndex(CorpusDocument[] documents, CorpusSearchOptions options)
    {
        var titleTerms = new List<string>[documents.Length];
        var bodyTerms = new List<string>[documents.Length];
        double titleLengthSum = 0, bodyLengthSum = 0;
        for (var i = 0; i < documents.Length; i++)
        {
            titleTerms[i] = [.. SearchTokenizer.Tokenize(documents[i].Title)];
            bodyTerms[i] = [.. SearchTokenizer.Tokenize(documents[i].Body)];
            titleLengthSum += titleTerms[i].Count;
            bodyLengthSum += bodyTerms[i].Count;
        }

        var averageTitle = documents.Length == 0 ? 1 : Math.Max(1, titleLengthSum / documents.Length);
        var averageBody = documents.Length == 0 ? 1 : Math.Max(1, bodyLengthSum / documents.Length);

        // BM25F: per field, the raw count is length-normalized against that field's average and weighted;
        // the weighted sum is then saturated once with k1, so a term in both title and body is not counted
        // as two independent pieces of evidence.
        var pseudoFrequencies = new Dictionary<string, List<(int Document, double Frequency)>>(StringComparer.Ordinal);
        for (var i = 0; i < documents.Length; i++)
        {
            var titleNorm = 1 - options.B + (options.B * titleTerms[i].Count / averageTitle);
            var bodyNorm = 1 - options.B + (options.B * bodyTerms[i].Count / averageBody);
            var frequencies = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var term in titleTerms[i])
            {
                frequencies[term] = frequencies.GetValueOrDefault(term) + (options.TitleBoost / titleNorm);
            }

            foreach (var term in bodyTerms[i])
            {
                frequencies[term] = frequencies.GetValueOrDefault(term) + (1 / bodyNorm);
            }

            foreach (var (term, frequency) in frequencies)
            {
                if (!pseudoFrequencies.TryGetValue(term, out var list))
                {
                    pseudoFrequencies[term] = list = [];
                }

                list.Add((i, frequency));
            }
        }

        var n = documents.Length;
        var index = new Dictionary<string, Posting[]>(pseudoFrequencies.Count, StringComparer.Ordinal);
        foreach (var (term, list) in pseudoFrequencies)
        {
            // The "+1" form of idf stays positive even for a term in most documents, so matching a common
            // term never lowers a score.
            var df = list.Count;
            var idf = Math.Log(1 + ((n - df + 0.5) / (df + 0.5)));
            var postings = new Posting[list.Count];
            for (var j = 0; j < list.Count; j++)
            {
                var (document, frequency) = list[j];
                postings[j] = new Posting(document, idf * frequency / (options.K1 + frequency));
            }

            index[term] = postings;
        }

        return index.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private readonly record struct Posting(int Document, double Weight);
}
