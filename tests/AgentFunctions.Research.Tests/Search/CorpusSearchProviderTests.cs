using AgentFunctions.Research.Search;

namespace AgentFunctions.Research.Tests.Search;

public sealed class CorpusSearchProviderTests
{
    private const string Filler =
        "Municipal planners compare many options when budgets are tight, weighing maintenance, public opinion and the time each project needs.";

    private static CorpusDocument Doc(string id, string title, string body) =>
        new(id, title, new Uri($"https://docs.example/{id}"), new DateOnly(2024, 1, 1), "test", body);

    [Fact]
    public void Search_TermsInTitle_OutrankTermsOnceInBody()
    {
        // Arrange
        var provider = new CorpusSearchProvider(
        [
            Doc("a-body", "Notes on city budgets", $"{Filler} Cool roofs came up once. {Filler}"),
            Doc("b-title", "Cool roofs in hot cities", $"{Filler} {Filler}"),
            Doc("c-none", "Bus timetables", Filler),
        ]);

        // Act
        var hits = provider.Search("cool roofs", 10);

        // Assert
        Assert.Equal(["b-title", "a-body"], hits.Select(h => h.SourceId));
        Assert.True(hits[0].Score > hits[1].Score);
    }

    [Fact]
    public void Search_RareTerm_OutweighsCommonTerm()
    {
        // Arrange: "heat" is in every document, "albedo" in one.
        var provider = new CorpusSearchProvider(
        [
            Doc("d1", "Heat", "Heat heat heat in the city."),
            Doc("d2", "Heat and albedo", "Albedo measures reflected heat."),
            Doc("d3", "Heat waves", "Heat waves kill."),
        ]);

        // Act
        var hits = provider.Search("heat albedo", 3);

        // Assert
        Assert.Equal("d2", hits[0].SourceId);
    }

    [Fact]
    public void Search_InflectedQuery_MatchesStemmedDocument()
    {
        // Arrange
        var provider = new CorpusSearchProvider([Doc("x", "Caching", "A cache stores responses."), Doc("y", "Trains", "Timetables.")]);

        // Act
        var hits = provider.Search("cached responses", 5);

        // Assert
        Assert.Equal("x", Assert.Single(hits).SourceId);
    }

    [Fact]
    public void Search_EqualScores_OrderedByIdRegardlessOfInputOrder()
    {
        // Arrange
        var documents = new[] { Doc("m", "Same", "Identical text."), Doc("b", "Same", "Identical text."), Doc("k", "Same", "Identical text.") };

        // Act
        var forward = new CorpusSearchProvider(documents).Search("identical", 5);
        var backward = new CorpusSearchProvider(documents.Reverse()).Search("identical", 5);

        // Assert
        Assert.Equal(["b", "k", "m"], forward.Select(h => h.SourceId));
        Assert.Equal(forward, backward);
    }

    [Fact]
    public async Task SearchAsync_ManyConcurrentQueries_AllReturnTheSameResult()
    {
        // Arrange
        var provider = CorpusSearchProvider.FromDirectory(RepositoryPaths.CorpusDirectory);
        var expected = provider.Search("flow battery round-trip efficiency", 8);

        // Act
        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ =>
            Task.Run(() => provider.SearchAsync("flow battery round-trip efficiency", 8, CancellationToken.None))));

        // Assert
        Assert.NotEmpty(expected);
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void Search_Hit_CarriesDocumentBodyScoreAndQuery()
    {
        // Arrange
        var document = Doc("h", "Heat islands", "Cities are warmer at night.");
        var provider = new CorpusSearchProvider([document]);

        // Act
        var hit = Assert.Single(provider.Search("warmer nights", 3));

        // Assert
        Assert.Equal(("h", "Heat islands", "https://docs.example/h", new DateOnly(2024, 1, 1), "Cities are warmer at night.", "warmer nights"),
            (hit.SourceId, hit.Title, hit.Url, hit.Published, hit.Content, hit.Query));
        Assert.True(hit.Score > 0);
    }

    [Fact]
    public void Search_Top_LimitsHitCount()
    {
        // Arrange
        var provider = new CorpusSearchProvider(Enumerable.Range(0, 10).Select(i => Doc($"d{i}", "Reef", $"Coral reef number {i}.")));

        // Act
        var hits = provider.Search("coral reef", 3);

        // Assert
        Assert.Equal(3, hits.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("the of and")]
    [InlineData("zeppelin")]
    public void Search_NothingToMatch_ReturnsEmpty(string query)
    {
        // Arrange
        var provider = new CorpusSearchProvider([Doc("a", "Coral", "Reefs bleach.")]);

        // Act / Assert
        Assert.Empty(provider.Search(query, 5));
    }

    [Fact]
    public void Search_ZeroTop_Throws()
    {
        // Arrange
        var provider = new CorpusSearchProvider([Doc("a", "Coral", "Reefs bleach.")]);

        // Act / Assert
        Assert.Throws<ArgumentOutOfRangeException>(() => provider.Search("coral", 0));
    }

    [Fact]
    public async Task SearchAsync_CancelledToken_Throws()
    {
        // Arrange
        var provider = new CorpusSearchProvider([Doc("a", "Coral", "Reefs bleach.")]);

        // Act / Assert
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => provider.SearchAsync("coral", 5, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Constructor_DuplicateIds_ThrowsNamingId()
    {
        // Act
        var error = Assert.Throws<ArgumentException>(() => new CorpusSearchProvider([Doc("dup", "A", "a"), Doc("dup", "B", "b")]));

        // Assert
        Assert.Contains("'dup'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0.75, 2)]
    [InlineData(1.2, 1.5, 2)]
    [InlineData(1.2, 0.75, -1)]
    public void Constructor_OutOfRangeOptions_Throws(double k1, double b, double titleBoost)
    {
        // Act / Assert
        Assert.Throws<ArgumentOutOfRangeException>(() => new CorpusSearchProvider([Doc("a", "A", "a")], new CorpusSearchOptions(k1, b, titleBoost)));
    }
}
