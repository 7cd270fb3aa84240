using AgentFunctions.Research.Search;

namespace AgentFunctions.Research.Tests.Search;

public sealed class CorpusLoaderTests
{
    private const string Valid = """
        { "id": "t-001", "title": "A title", "url": "https://x.example/a", "date": "2024-02-29", "topic": "test", "body": "Some body text." }
        """;

    [Fact]
    public void Parse_ValidDocument_ReturnsEveryField()
    {
        // Act
        var document = CorpusLoader.Parse(Valid, "a.json");

        // Assert
        Assert.Equal(new CorpusDocument("t-001", "A title", new Uri("https://x.example/a"), new DateOnly(2024, 2, 29), "test", "Some body text."), document);
    }

    [Theory]
    [InlineData("id")]
    [InlineData("title")]
    [InlineData("url")]
    [InlineData("date")]
    [InlineData("topic")]
    [InlineData("body")]
    public void Parse_MissingField_NamesFileAndField(string field)
    {
        // Arrange
        var json = System.Text.Json.Nodes.JsonNode.Parse(Valid)!.AsObject();
        json.Remove(field);

        // Act
        var error = Assert.Throws<InvalidDataException>(() => CorpusLoader.Parse(json.ToJsonString(), "docs/broken.json"));

        // Assert
        Assert.Contains("'docs/broken.json'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{field}' is missing", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "id": 7, "title": "t", "url": "https://x.example", "date": "2024-01-01", "topic": "t", "body": "b" }""", "'id' must be a string, found Number")]
    [InlineData("""{ "id": "x", "title": "  ", "url": "https://x.example", "date": "2024-01-01", "topic": "t", "body": "b" }""", "'title' must not be empty")]
    [InlineData("""{ "id": "x", "title": "t", "url": "/relative", "date": "2024-01-01", "topic": "t", "body": "b" }""", "'url' must be an absolute http or https URL, found '/relative'")]
    [InlineData("""{ "id": "x", "title": "t", "url": "ftp://x.example", "date": "2024-01-01", "topic": "t", "body": "b" }""", "'url' must be an absolute http or https URL")]
    [InlineData("""{ "id": "x", "title": "t", "url": "https://x.example", "date": "2024-13-01", "topic": "t", "body": "b" }""", "'date' must be a date in yyyy-MM-dd form, found '2024-13-01'")]
    [InlineData("""{ "id": "x", "title": "t", "url": "https://x.example", "date": "01/02/2024", "topic": "t", "body": "b" }""", "'date' must be a date in yyyy-MM-dd form")]
    [InlineData("""[1, 2]""", "must be a JSON object, found Array")]
    public void Parse_InvalidField_ExplainsWhatIsWrong(string json, string expected)
    {
        // Act
        var error = Assert.Throws<InvalidDataException>(() => CorpusLoader.Parse(json, "d.json"));

        // Assert
        Assert.Contains("'d.json'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MalformedJson_NamesFileAndLine()
    {
        // Act
        var error = Assert.Throws<InvalidDataException>(() => CorpusLoader.Parse("{\n  \"id\": \"x\",\n  \"title\" \"missing colon\"\n}", "bad.json"));

        // Assert
        Assert.Contains("'bad.json' is not valid JSON (line 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadDirectory_ValidFiles_LoadsJsonOnlyInFileNameOrder()
    {
        // Arrange
        using var folder = new TempDirectory();
        folder.Write("b.json", Valid.Replace("t-001", "t-002", StringComparison.Ordinal));
        folder.Write("a.json", Valid);
        folder.Write("MANIFEST.md", "# not a document");

        // Act
        var documents = CorpusLoader.LoadDirectory(folder.Path);

        // Assert
        Assert.Equal(["t-001", "t-002"], documents.Select(d => d.Id));
    }

    [Fact]
    public void LoadDirectory_DuplicateIds_NamesBothFilesAndId()
    {
        // Arrange
        using var folder = new TempDirectory();
        var first = folder.Write("a.json", Valid);
        var second = folder.Write("b.json", Valid);

        // Act
        var error = Assert.Throws<InvalidDataException>(() => CorpusLoader.LoadDirectory(folder.Path));

        // Assert
        Assert.Contains($"'{first}' and '{second}' both have id 't-001'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadDirectory_OneBrokenFile_NamesThatFile()
    {
        // Arrange
        using var folder = new TempDirectory();
        folder.Write("a.json", Valid);
        var broken = folder.Write("b.json", """{ "id": "t-002" }""");

        // Act
        var error = Assert.Throws<InvalidDataException>(() => CorpusLoader.LoadDirectory(folder.Path));

        // Assert
        Assert.Contains($"'{broken}': required field 'title' is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadDirectory_NoDocuments_Throws()
    {
        // Arrange
        using var folder = new TempDirectory();

        // Act
        var error = Assert.Throws<InvalidDataException>(() => CorpusLoader.LoadDirectory(folder.Path));

        // Assert
        Assert.Contains("contains no *.json documents", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadDirectory_MissingFolder_ThrowsNamingFolder()
    {
        // Arrange
        var missing = Path.Combine(Path.GetTempPath(), "af-no-such-corpus-" + Guid.NewGuid().ToString("N"));

        // Act
        var error = Assert.Throws<DirectoryNotFoundException>(() => CorpusLoader.LoadDirectory(missing));

        // Assert
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
