using System.Text.RegularExpressions;
using AgentFunctions.Research.Evaluation;
using AgentFunctions.Research.Search;

namespace AgentFunctions.Research.Tests.Search;

/// <summary>Checks the checked-in corpus, its manifest and the eval set against each other.</summary>
public sealed partial class SampleCorpusTests
{
    private static readonly Lazy<IReadOnlyList<CorpusDocument>> _corpus = new(() => CorpusLoader.LoadDirectory(RepositoryPaths.CorpusDirectory));

    [Fact]
    public void Corpus_EveryDocument_LoadsWithIdMatchingFileNameAndSaneBody()
    {
        // Act
        var documents = _corpus.Value;

        // Assert
        Assert.True(documents.Count >= 64, $"only {documents.Count} documents");
        var files = Directory.GetFiles(RepositoryPaths.CorpusDirectory, "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        Assert.Equal(files, documents.Select(d => d.Id));
        Assert.All(documents, d =>
        {
            var words = d.Body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
            Assert.InRange(words, 150, 400);
            // Fictional sources must stay on reserved example domains (example.org, *.example, ...).
            Assert.Contains("example", d.Url.Host.Split('.'));
        });
    }

    [Fact]
    public void Manifest_ListsEveryDocumentExactlyOnceWithAKnownKind()
    {
        // Arrange
        var manifest = File.ReadAllLines(Path.Combine(RepositoryPaths.CorpusDirectory, "MANIFEST.md"));
        var rows = manifest.Select(line => ManifestRow().Match(line)).Where(m => m.Success).ToList();
        var corpusIds = _corpus.Value.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);

        // Act
        var manifestIds = rows.Select(r => r.Groups["id"].Value).ToList();
        var kinds = rows.GroupBy(r => r.Groups["kind"].Value).ToDictionary(g => g.Key, g => g.Count());

        // Assert
        Assert.All(manifestIds, id => Assert.Contains(id, corpusIds));
        Assert.Equal(corpusIds.Order(StringComparer.Ordinal), manifestIds.Order(StringComparer.Ordinal));
        Assert.Subset(new HashSet<string> { "normal", "injection", "offtopic", "contradictory" }, kinds.Keys.ToHashSet());
        Assert.True(kinds.GetValueOrDefault("injection") >= 4);
        Assert.True(kinds.GetValueOrDefault("offtopic") >= 3);
        Assert.True(kinds.GetValueOrDefault("contradictory") >= 3);
    }

    [Fact]
    public void EvalSet_EveryQuestion_ReferencesExistingDocumentsAndNoHostileOnesAsRelevant()
    {
        // Arrange
        var corpusIds = _corpus.Value.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var hostile = File.ReadAllLines(Path.Combine(RepositoryPaths.CorpusDirectory, "MANIFEST.md"))
            .Select(line => ManifestRow().Match(line))
            .Where(m => m.Success && m.Groups["kind"].Value is "injection" or "offtopic")
            .Select(m => m.Groups["id"].Value)
            .ToHashSet(StringComparer.Ordinal);

        // Act: both sets, development and held-out.
        var questions = EvalQuestion.Load(RepositoryPaths.EvalQuestionsFile).Concat(EvalQuestion.Load(RepositoryPaths.HeldOutQuestionsFile)).ToList();

        // Assert
        Assert.True(questions.Count >= 70, $"only {questions.Count} questions");
        Assert.Equal(questions.Count, questions.Select(q => q.Id).Distinct().Count());
        Assert.True(questions.Count(q => !q.Answerable) >= 10, "too few unanswerable questions");
        Assert.All(questions, q =>
        {
            Assert.InRange(q.Relevant.Count, q.Answerable ? 1 : 0, q.Answerable ? 4 : 0);
            Assert.All(q.Relevant.Concat(q.MayCite).Concat(q.MustNotCite), id => Assert.Contains(id, corpusIds));
            Assert.All(q.MayCite, id => Assert.DoesNotContain(id, hostile));
            Assert.Empty(q.Relevant.Intersect(q.MayCite));
            Assert.All(q.Relevant, id => Assert.DoesNotContain(id, hostile));
            Assert.All(q.MustNotCite, id => Assert.Contains(id, hostile));
        });
    }

    [Fact]
    public void BuildOutput_ContainsCopyOfCorpus()
    {
        // Arrange
        var shipped = Path.Combine(AppContext.BaseDirectory, CorpusLocator.OutputFolderName);

        // Act
        var documents = CorpusLoader.LoadDirectory(shipped);

        // Assert
        Assert.Equal(_corpus.Value, documents);
    }

    [GeneratedRegex(@"^\|\s*(?<id>[a-z]{3}-\d{3})\s*\|\s*(?<kind>[a-z]+)\s*\|")]
    private static partial Regex ManifestRow();
}
