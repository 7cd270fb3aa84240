namespace AgentFunctions.Research.Search;

/// <summary>Where and how <see cref="AzureAiSearchProvider"/> queries an Azure AI Search index.</summary>
/// <param name="Endpoint">The service endpoint, for example <c>https://my-search.search.windows.net</c>.</param>
/// <param name="IndexName">The index to query.</param>
/// <param name="ApiKey">A query or admin key; when null the provider authenticates with a token credential.</param>
public sealed record AzureAiSearchOptions(Uri Endpoint, string IndexName, string? ApiKey = null)
{
    /// <summary>The index field holding the document key; becomes <c>SearchHit.SourceId</c>.</summary>
    public string IdField { get; init; } = "id";

    /// <summary>The index field holding the title.</summary>
    public string TitleField { get; init; } = "title";

    /// <summary>The index field holding the URL.</summary>
    public string UrlField { get; init; } = "url";

    /// <summary>The index field holding the publication date (<c>Edm.DateTimeOffset</c> or a <c>yyyy-MM-dd</c> string).</summary>
    public string DateField { get; init; } = "date";

    /// <summary>The index field holding the text agents may quote; becomes <c>SearchHit.Content</c>.</summary>
    public string ContentField { get; init; } = "content";

    /// <summary>
    /// The index's vector field of the content (e.g. <c>contentVector</c>); when set and the provider has an embedding
    /// generator, each search is hybrid: keyword plus a vector query, fused by the service. Null: keyword only.
    /// </summary>
    public string? VectorField { get; init; }

    /// <summary>Nearest neighbours the vector query asks for before fusion; at least the hits asked for. Default 50.</summary>
    public int VectorNeighbours { get; init; } = 50;

    /// <summary>Throws when a required setting is missing.</summary>
    /// <exception cref="ArgumentException">A setting is missing or blank.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Endpoint);
        if (!Endpoint.IsAbsoluteUri)
        {
            throw new ArgumentException($"The Azure AI Search endpoint '{Endpoint}' must be an absolute URI.", nameof(Endpoint));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(IndexName);
        ArgumentException.ThrowIfNullOrWhiteSpace(IdField);
        ArgumentException.ThrowIfNullOrWhiteSpace(TitleField);
        ArgumentException.ThrowIfNullOrWhiteSpace(UrlField);
        ArgumentException.ThrowIfNullOrWhiteSpace(DateField);
        ArgumentException.ThrowIfNullOrWhiteSpace(ContentField);
    }
}
