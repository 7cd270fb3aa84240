using System.Net;
using System.Text.Json;
using AgentFunctions.Research.Search;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Search.Documents;
using Azure.Search.Documents.Models;
using Microsoft.Extensions.AI;

namespace AgentFunctions.Research.Tests.Search;

public sealed class AzureAiSearchProviderTests
{
    private const string TwoResults = """
        {
          "value": [
            { "@search.score": 7.25, "id": "doc-1", "title": "Cool roofs", "url": "https://a.example/1", "date": "2024-05-14T00:00:00Z", "content": "White roofs reflect sunlight." },
            { "@search.score": 3.5, "id": "doc-2", "title": null, "url": null, "date": null, "content": "Trees shade streets." }
          ]
        }
        """;

    // The SDK refuses non-https endpoints, so the client is given https://127.0.0.1:port and a test-only
    // handler sends the request to the fake service over plain HTTP on the same loopback port. Everything
    // else (request building, auth header, response parsing, paging) is the real SDK pipeline.
    private static AzureAiSearchProvider Provider(
        FakeSearchService service,
        string index = "idx",
        Func<AzureAiSearchOptions, AzureAiSearchOptions>? configure = null,
        IEmbeddingGenerator<string, Embedding<float>>? embeddings = null)
    {
        var options = new AzureAiSearchOptions(service.HttpsEndpoint, index, "secret-key");
        var clientOptions = new SearchClientOptions
        {
            Retry = { MaxRetries = 0 },
            Transport = new HttpClientTransport(new HttpClient(new LoopbackHttpHandler())),
        };
        return new AzureAiSearchProvider(configure?.Invoke(options) ?? options, clientOptions: clientOptions, embeddings: embeddings);
    }

    [Fact]
    public async Task SearchAsync_VectorFieldAndEmbeddings_SendsHybridKeywordAndVectorQuery()
    {
        // Arrange
        await using var service = new FakeSearchService(TwoResults);
        var embeddings = new FixedEmbeddings([0.25f, -0.5f, 1f]);
        var provider = Provider(service, configure: o => o with { VectorField = "contentVector", VectorNeighbours = 30 }, embeddings: embeddings);

        // Act
        var hits = await provider.SearchAsync("white roofs", 5, CancellationToken.None);

        // Assert: the keyword query stays, and a vector query over the embedded text joins it.
        using var body = JsonDocument.Parse(Assert.Single(service.Requests).Body);
        Assert.Equal("white roofs", body.RootElement.GetProperty("search").GetString());
        var vector = Assert.Single(body.RootElement.GetProperty("vectorQueries").EnumerateArray());
        Assert.Equal("vector", vector.GetProperty("kind").GetString());
        Assert.Equal("contentVector", vector.GetProperty("fields").GetString());
        Assert.Equal(30, vector.GetProperty("k").GetInt32());
        Assert.Equal([0.25f, -0.5f, 1f], vector.GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal(["white roofs"], embeddings.Embedded);
        Assert.Equal(2, hits.Count);
    }

    [Fact]
    public async Task SearchAsync_EmbeddingsWithoutVectorField_StaysKeywordOnly()
    {
        await using var service = new FakeSearchService(TwoResults);
        var embeddings = new FixedEmbeddings([1f]);

        await Provider(service, embeddings: embeddings).SearchAsync("white roofs", 5, CancellationToken.None);

        using var body = JsonDocument.Parse(Assert.Single(service.Requests).Body);
        Assert.False(body.RootElement.TryGetProperty("vectorQueries", out _));
        Assert.Empty(embeddings.Embedded);
    }

    /// <summary>An embedding model that answers every text with the same vector and records what it embedded.</summary>
    private sealed class FixedEmbeddings(float[] vector) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public List<string> Embedded { get; } = [];

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = values.ToList();
            Embedded.AddRange(list);
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(list.Select(_ => new Embedding<float>(vector))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task SearchAsync_WithApiKey_SendsQueryToIndexAndMapsHits()
    {
        // Arrange
        await using var service = new FakeSearchService(TwoResults);
        var provider = Provider(service, "research-docs");

        // Act
        var hits = await provider.SearchAsync("cool roofs", 5, CancellationToken.None);

        // Assert
        var request = Assert.Single(service.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Contains("/indexes('research-docs')/docs/search.post.search", request.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal("secret-key", request.ApiKey);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("cool roofs", body.RootElement.GetProperty("search").GetString());
        Assert.Equal(5, body.RootElement.GetProperty("top").GetInt32());
        Assert.Equal("id,title,url,date,content", body.RootElement.GetProperty("select").GetString());

        Assert.Equal(2, hits.Count);
        Assert.Equal(new("doc-1", "Cool roofs", "https://a.example/1", new DateOnly(2024, 5, 14), "White roofs reflect sunlight.", 7.25, "cool roofs"), hits[0]);
        Assert.Equal(new("doc-2", "doc-2", string.Empty, null, "Trees shade streets.", 3.5, "cool roofs"), hits[1]);
    }

    [Fact]
    public async Task SearchAsync_CustomFieldNames_SelectsAndMapsThem()
    {
        // Arrange
        const string Response = """{ "value": [ { "@search.score": 1.0, "key": "k1", "name": "N", "link": "https://b.example", "published": "2023-01-02", "chunk": "text" } ] }""";
        await using var service = new FakeSearchService(Response);
        var provider = Provider(service, configure: o => o with
        {
            IdField = "key",
            TitleField = "name",
            UrlField = "link",
            DateField = "published",
            ContentField = "chunk",
        });

        // Act
        var hit = Assert.Single(await provider.SearchAsync("q", 3, CancellationToken.None));

        // Assert
        using var body = JsonDocument.Parse(Assert.Single(service.Requests).Body);
        Assert.Equal("key,name,link,published,chunk", body.RootElement.GetProperty("select").GetString());
        Assert.Equal(new("k1", "N", "https://b.example", new DateOnly(2023, 1, 2), "text", 1.0, "q"), hit);
    }

    [Fact]
    public async Task SearchAsync_ResultWithoutContentField_ThrowsNamingField()
    {
        // Arrange
        await using var service = new FakeSearchService("""{ "value": [ { "@search.score": 1.0, "id": "x", "body": "wrong field" } ] }""");
        var provider = Provider(service);

        // Act
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => provider.SearchAsync("q", 3, CancellationToken.None));

        // Assert
        Assert.Contains("'content'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'idx'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchAsync_ServiceError_SurfacesRequestFailed()
    {
        // Arrange
        await using var service = new FakeSearchService("""{ "error": { "code": "InvalidRequest", "message": "bad index" } }""", HttpStatusCode.BadRequest);
        var provider = Provider(service);

        // Act
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => provider.SearchAsync("q", 3, CancellationToken.None));

        // Assert
        Assert.Equal(400, error.Status);
    }

    [Fact]
    public void Constructor_NoKeyAndNoCredential_ThrowsNamingIndex()
    {
        // Act
        var error = Assert.Throws<ArgumentException>(() => new AzureAiSearchProvider(new AzureAiSearchOptions(new Uri("https://s.example"), "idx")));

        // Assert
        Assert.Contains("'idx'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_TokenCredentialWithoutKey_Succeeds()
    {
        // Act
        var provider = new AzureAiSearchProvider(new AzureAiSearchOptions(new Uri("https://s.example"), "idx"), new StaticTokenCredential());

        // Assert
        Assert.Equal("azure-ai-search", provider.Name);
    }

    [Fact]
    public void ToHit_ModelFactoryDocumentWithDateTimeOffset_KeepsCalendarDate()
    {
        // Arrange
        var provider = new AzureAiSearchProvider(new AzureAiSearchOptions(new Uri("https://s.example"), "idx", "k"));
        var result = SearchModelFactory.SearchResult(
            new SearchDocument(new Dictionary<string, object>
            {
                ["id"] = "d",
                ["title"] = "T",
                ["url"] = "https://c.example",
                ["date"] = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.FromHours(2)),
                ["content"] = "c",
            }),
            score: 2.0,
            highlights: null);

        // Act
        var hit = provider.ToHit(result.Document, result.Score, "q");

        // Assert
        Assert.Equal(new DateOnly(2024, 3, 1), hit.Published);
        Assert.Equal(2.0, hit.Score);
    }

    [Fact]
    public void Constructor_HttpEndpoint_RejectedBySdk()
    {
        // Act
        var error = Assert.Throws<ArgumentException>(() => new AzureAiSearchProvider(new AzureAiSearchOptions(new Uri("http://127.0.0.1:1/"), "idx", "k")));

        // Assert
        Assert.Contains("https", error.Message, StringComparison.Ordinal);
    }

    private sealed class LoopbackHttpHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Assert.Equal("127.0.0.1", request.RequestUri!.Host);
            request.RequestUri = new UriBuilder(request.RequestUri) { Scheme = Uri.UriSchemeHttp }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
