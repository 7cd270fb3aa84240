using AgentFunctions.Research.Search;

namespace AgentFunctions.Research.Tests.Search;

public sealed class SearchTokenizerTests
{
    [Fact]
    public void Tokenize_PunctuationAndCase_SplitsOnNonAlphanumericsAndLowercases()
    {
        // Act
        var terms = SearchTokenizer.Tokenize("Stale-While-Revalidate, ETag/If-None-Match: HTTP 304!");

        // Assert
        Assert.Equal(["stal", "revalidat", "etag", "non", "match", "http", "304"], terms);
    }

    [Fact]
    public void Tokenize_Stopwords_AreDropped()
    {
        // Act
        var terms = SearchTokenizer.Tokenize("How does the engine know what it should do with these?");

        // Assert
        Assert.Equal(["engin", "know"], terms);
    }

    [Fact]
    public void Tokenize_UnicodeLettersAndDigits_AreKeptAsWords()
    {
        // Act
        var terms = SearchTokenizer.Tokenize("Größe über Straßen 1.5°C");

        // Assert
        Assert.Equal(["größ", "über", "straßen", "1", "5"], terms);
    }

    [Fact]
    public void Tokenize_SingleLettersDropped_SingleDigitsKept()
    {
        // Act
        var terms = SearchTokenizer.Tokenize("the user's 4 hour battery");

        // Assert
        Assert.Equal(["user", "4", "hour", "battery"], terms);
    }

    [Theory]
    [InlineData("cache", "caches", "cached", "caching")]
    [InlineData("store", "stores", "stored", "storing")]
    [InlineData("bleach", "bleaches", "bleached", "bleaching")]
    [InlineData("plan", "plans", "planned", "planning")]
    [InlineData("battery", "batteries", "battery", "batteries")]
    [InlineData("study", "studies", "studied", "studying")]
    [InlineData("process", "processes", "processed", "processing")]
    [InlineData("roof", "roofs", "roofed", "roofing")]
    public void Stem_Inflections_MeetOnOneStem(string word, string plural, string past, string gerund)
    {
        // Act
        var stems = new[] { word, plural, past, gerund }.Select(SearchTokenizer.Stem).Distinct().ToList();

        // Assert
        Assert.Single(stems);
    }

    [Theory]
    [InlineData("status", "status")]
    [InlineData("analysis", "analysis")]
    [InlineData("loss", "loss")]
    [InlineData("speed", "speed")]
    [InlineData("bring", "bring")]
    [InlineData("gas", "gas")]
    [InlineData("http2s", "http2s")]
    [InlineData("install", "install")]
    public void Stem_WordsThatOnlyLookInflected_AreLeftAlone(string word, string expected)
    {
        // Act / Assert
        Assert.Equal(expected, SearchTokenizer.Stem(word));
    }

    [Fact]
    public void Tokenize_Null_Throws()
    {
        // Act / Assert
        Assert.Throws<ArgumentNullException>(() => SearchTokenizer.Tokenize(null!));
    }
}
