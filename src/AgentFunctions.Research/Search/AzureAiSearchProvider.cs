using System.Globalization;
using AgentFunctions.Research.Contracts;
using Azure;
using Azure.Core;
using Azure.Search.Documents;
using Azure.Search.Documents.Models;
using Microsoft.Extensions.AI;

namespace AgentFunctions.Research.Search;

/// <summary>
/// Search against an Azure AI Search index, mapped onto <see cref="SearchHit"/>: keyword, or hybrid keyword plus
/// vector when <see cref="AzureAiSearchOptions.VectorField"/> is set and an embedding generator is given (the service
/// fuses the two rankings), so a paraphrase that shares few words with a document can still find it.
/// </summary>
/// <remarks>
/// Only the configured fields are selected, so an index with large vector or metadata fields does not ship
/// them over the wire. Results keep the service's ranking order.
/// </remarks>
public sealed class AzureAiSearchProvider : ISearchProvider
{
    private readonly SearchClient _client;
    private readonly AzureAiSearchOptions _options;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embeddings;

    /// <summary>Creates a provider that authenticates with the API key in <paramref name="options"/>, or with <paramref name="credential"/> when there is none.</summary>
    /// <param name="options">Endpoint, index and field names.</param>
    /// <param name="credential">The Entra ID credential to use when <see cref="AzureAiSearchOptions.ApiKey"/> is null.</param>
    /// <param name="clientOptions">SDK client options (retries, transport, diagnostics); SDK defaults when null.</param>
    /// <param name="embeddings">Embeds queries for the vector half of a hybrid search; keyword only when null or when no vector field is set.</param>
    /// <exception cref="ArgumentException">The options are incomplete, or neither a key nor a credential was given.</exception>
    public AzureAiSearchProvider(
        AzureAiSearchOptions options,
        TokenCredential? credential = null,
        SearchClientOptions? clientOptions = null,
        IEmbeddingGenerator<string, Embedding<float>>? embeddings = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _embeddings = embeddings;
        clientOptions ??= new SearchClientOptions();
        if (!string.IsNullOrWhiteSpace(options.ApiKey))
        {
            _client = new SearchClient(options.Endpoint, options.IndexName, new AzureKeyCredential(options.ApiKey), clientOptions);
        }
        else if (credential is not null)
        {
            _client = new SearchClient(options.Endpoint, options.IndexName, credential, clientOptions);
        }
        else
        {
            throw new ArgumentException(
                $"Azure AI Search index '{options.IndexName}' at '{options.Endpoint}' needs either an API key or a token credential.",
                nameof(credential));
        }
    }

    /// <inheritdoc />
    public string Name => "azure-ai-search";

    /// <inheritdoc />
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(string query, int top, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);

        var searchOptions = new SearchOptions { Size = top, IncludeTotalCount = false };
        foreach (var field in new[] { _options.IdField, _options.TitleField, _options.UrlField, _options.DateField, _options.ContentField }.Distinct(StringComparer.Ordinal))
        {
            searchOptions.Select.Add(field);
        }

        if (_options.VectorField is { Length: > 0 } vectorField && _embeddings is not null)
        {
            var embedding = await _embeddings.GenerateAsync(query, cancellationToken: cancellationToken).ConfigureAwait(false);
            searchOptions.VectorSearch = new VectorSearchOptions
            {
                Queries = { new VectorizedQuery(embedding.Vector) { KNearestNeighborsCount = Math.Max(top, _options.VectorNeighbours), Fields = { vectorField } } },
            };
        }

        var response = await _client.SearchAsync<SearchDocument>(query, searchOptions, cancellationToken);
        var hits = new List<SearchHit>(top);
        await foreach (var result in response.Value.GetResultsAsync().WithCancellation(cancellationToken))
        {
            hits.Add(ToHit(result.Document, result.Score, query));
            if (hits.Count == top)
            {
                // Size already bounds the first page; this stops the pageable from fetching a second one.
                break;
            }
        }

        return hits;
    }

    /// <summary>Maps one search document onto a <see cref="SearchHit"/> using the configured field names.</summary>
    /// <param name="document">The document as returned by the service.</param>
    /// <param name="score">The service's relevance score, when present.</param>
    /// <param name="query">The query that found the document.</param>
    /// <returns>The hit.</returns>
    /// <exception cref="InvalidDataException">The id or content field is missing or empty, which means the field names do not match the index.</exception>
    public SearchHit ToHit(SearchDocument document, double? score, string query)
    {
        ArgumentNullException.ThrowIfNull(document);
        var id = RequiredText(document, _options.IdField);
        var content = RequiredText(document, _options.ContentField);
        var title = Text(document, _options.TitleField) ?? id;
        var url = Text(document, _options.UrlField) ?? string.Empty;
        return new SearchHit(id, title, url, Date(document, _options.DateField), content, score ?? 0, query);
    }

    private string RequiredText(SearchDocument document, string field) =>
        Text(document, field) is { Length: > 0 } text
            ? text
            : throw new InvalidDataException(
                $"Azure AI Search index '{_options.IndexName}' returned a document without a value in field '{field}'; check the configured field names.");

    private static string? Text(SearchDocument document, string field) =>
        document.TryGetValue(field, out var value) && value is not null
            ? Convert.ToString(value, CultureInfo.InvariantCulture)
            : null;

    private static DateOnly? Date(SearchDocument document, string field)
    {
        if (!document.TryGetValue(field, out var value))
        {
            return null;
        }

        return value switch
        {
            // The calendar date as the index wrote it, not shifted into UTC, which could move it a day.
            DateTimeOffset offset => DateOnly.FromDateTime(offset.DateTime),
            DateTime dateTime => DateOnly.FromDateTime(dateTime),
            string text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) =>
                DateOnly.FromDateTime(parsed.DateTime),
            _ => null,
        };
    }
}
