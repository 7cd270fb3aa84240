using AgentFunctions.Research.Search;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Research.Tests.Search;

public sealed class SearchProviderFactoryTests
{
    private const string OneDocument = """
        { "id": "only-001", "title": "Only", "url": "https://x.example/only", "date": "2024-01-01", "topic": "t", "body": "The only document." }
        """;

    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Create_NoAzureSettings_IndexesConfiguredCorpusFolder()
    {
        // Arrange
        using var folder = new TempDirectory();
        folder.Write("only-001.json", OneDocument);

        // Act
        var provider = SearchProviderFactory.Create(Config((SearchProviderFactory.CorpusPathKey, folder.Path)));

        // Assert
        var corpus = Assert.IsType<CorpusSearchProvider>(provider);
        Assert.Equal("only-001", Assert.Single(corpus.Documents).Id);
    }

    [Fact]
    public void Create_RelativeCorpusPath_ResolvesAgainstBaseDirectory()
    {
        // Arrange
        using var root = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(root.Path, "data"));
        File.WriteAllText(Path.Combine(root.Path, "data", "only-001.json"), OneDocument);

        // Act
        var provider = SearchProviderFactory.Create(Config((SearchProviderFactory.CorpusPathKey, "data")), baseDirectory: root.Path);

        // Assert
        Assert.Single(Assert.IsType<CorpusSearchProvider>(provider).Documents);
    }

    [Fact]
    public void Create_ConfiguredCorpusFolderMissing_ThrowsNamingSetting()
    {
        // Act
        var error = Assert.Throws<DirectoryNotFoundException>(() =>
            SearchProviderFactory.Create(Config((SearchProviderFactory.CorpusPathKey, "/no/such/corpus"))));

        // Assert
        Assert.Contains("AgentFunctions:Search:CorpusPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_EndpointIndexAndKey_ReturnsAzureProvider()
    {
        // Act
        var provider = SearchProviderFactory.Create(Config(
            ("AZURE_SEARCH_ENDPOINT", "https://my-search.search.windows.net"),
            ("AZURE_SEARCH_INDEX", "research"),
            ("AZURE_SEARCH_API_KEY", "key")));

        // Assert
        Assert.IsType<AzureAiSearchProvider>(provider);
    }

    [Fact]
    public void Create_EndpointAndIndexWithoutKey_UsesTokenCredential()
    {
        // Act
        var provider = SearchProviderFactory.Create(
            Config(("AZURE_SEARCH_ENDPOINT", "https://my-search.search.windows.net"), ("AZURE_SEARCH_INDEX", "research")),
            credential: new StaticTokenCredential());

        // Assert
        Assert.Equal("azure-ai-search", provider.Name);
    }

    [Theory]
    [InlineData("https://my-search.search.windows.net", null, "AZURE_SEARCH_INDEX is missing")]
    [InlineData(null, "research", "AZURE_SEARCH_ENDPOINT is missing")]
    [InlineData("not a uri", "research", "AZURE_SEARCH_ENDPOINT 'not a uri' is not an absolute URI")]
    public void Create_IncompleteAzureSettings_ThrowsNamingProblem(string? endpoint, string? index, string expected)
    {
        // Act
        var error = Assert.Throws<InvalidOperationException>(() =>
            SearchProviderFactory.Create(Config(("AZURE_SEARCH_ENDPOINT", endpoint), ("AZURE_SEARCH_INDEX", index))));

        // Assert
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddResearchSearch_NoAzureSettings_RegistersOneCorpusProvider()
    {
        // Arrange
        var services = new ServiceCollection().AddResearchSearch(Config((SearchProviderFactory.CorpusPathKey, RepositoryPaths.CorpusDirectory)));
        using var container = services.BuildServiceProvider();

        // Act
        var first = container.GetRequiredService<ISearchProvider>();
        var second = container.GetRequiredService<ISearchProvider>();

        // Assert
        Assert.Same(first, second);
        Assert.Equal("corpus", first.Name);
    }

    [Fact]
    public void AddResearchSearch_ProviderAlreadyRegistered_KeepsIt()
    {
        // Arrange
        var fake = new CorpusSearchProvider([new CorpusDocument("f", "F", new Uri("https://f.example"), new DateOnly(2024, 1, 1), "t", "fake")]);
        var services = new ServiceCollection().AddSingleton<ISearchProvider>(fake).AddResearchSearch(Config());
        using var container = services.BuildServiceProvider();

        // Act / Assert
        Assert.Same(fake, container.GetRequiredService<ISearchProvider>());
    }
}
