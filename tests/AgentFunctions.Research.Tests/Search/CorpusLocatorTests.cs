using AgentFunctions.Research.Search;

namespace AgentFunctions.Research.Tests.Search;

public sealed class CorpusLocatorTests
{
    [Fact]
    public void Resolve_NoConfiguredPath_PrefersCopyBesideBinaries()
    {
        // Arrange
        using var root = new TempDirectory();
        var shipped = Directory.CreateDirectory(Path.Combine(root.Path, "app", "corpus")).FullName;
        Directory.CreateDirectory(Path.Combine(root.Path, "samples", "corpus"));

        // Act
        var resolved = CorpusLocator.Resolve(null, Path.Combine(root.Path, "app"));

        // Assert
        Assert.Equal(shipped, resolved);
    }

    [Fact]
    public void Resolve_NoCopyBesideBinaries_WalksUpToSamplesCorpus()
    {
        // Arrange
        using var root = new TempDirectory();
        var samples = Directory.CreateDirectory(Path.Combine(root.Path, "samples", "corpus")).FullName;
        var baseDirectory = Directory.CreateDirectory(Path.Combine(root.Path, "src", "Host", "bin", "Debug")).FullName;

        // Act
        var resolved = CorpusLocator.Resolve("  ", baseDirectory);

        // Assert
        Assert.Equal(samples, resolved);
    }

    [Fact]
    public void Resolve_ConfiguredPath_WinsOverDefaults()
    {
        // Arrange
        using var root = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(root.Path, "corpus"));
        var custom = Directory.CreateDirectory(Path.Combine(root.Path, "custom")).FullName;

        // Act
        var resolved = CorpusLocator.Resolve(custom, root.Path);

        // Assert
        Assert.Equal(custom, resolved);
    }

    [Fact]
    public void Resolve_NothingFound_ThrowsExplainingSettings()
    {
        // Arrange
        using var root = new TempDirectory();

        // Act
        var error = Assert.Throws<DirectoryNotFoundException>(() => CorpusLocator.Resolve(null, root.Path));

        // Assert
        Assert.Contains("AgentFunctions:Search:CorpusPath", error.Message, StringComparison.Ordinal);
        Assert.Contains("AZURE_SEARCH_ENDPOINT", error.Message, StringComparison.Ordinal);
    }
}
