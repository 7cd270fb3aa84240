using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Research.Search;

/// <summary>Chooses and builds the search provider from configuration (docs/configuration.md).</summary>
public static class SearchProviderFactory
{
    /// <summary>Configuration key of the Azure AI Search endpoint.</summary>
    public const string EndpointKey = "AZURE_SEARCH_ENDPOINT";

    /// <summary>Configuration key of the Azure AI Search index name.</summary>
    public const string IndexKey = "AZURE_SEARCH_INDEX";

    /// <summary>Configuration key of the Azure AI Search API key; when absent, Entra ID is used.</summary>
    public const string ApiKeyKey = "AZURE_SEARCH_API_KEY";

    /// <summary>Configuration key of the offline corpus folder.</summary>
    public const string CorpusPathKey = "AgentFunctions:Search:CorpusPath";

    /// <summary>
    /// Returns an <see cref="AzureAiSearchProvider"/> when both <see cref="EndpointKey"/> and <see cref="IndexKey"/>
    /// are set, otherwise a <see cref="CorpusSearchProvider"/> over the folder <see cref="CorpusLocator"/> resolves.
    /// </summary>
    /// <param name="configuration">The application configuration.</param>
    /// <param name="baseDirectory">Where to look for the corpus; <see cref="AppContext.BaseDirectory"/> when null.</param>
    /// <param name="credential">The Entra ID credential for Azure AI Search without a key; a <see cref="DefaultAzureCredential"/> when null.</param>
    /// <returns>The provider.</returns>
    /// <exception cref="InvalidOperationException">Only one of endpoint and index is set, or the endpoint is not an absolute URI.</exception>
    public static ISearchProvider Create(IConfiguration configuration, string? baseDirectory = null, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var endpoint = configuration[EndpointKey];
        var index = configuration[IndexKey];
        var hasEndpoint = !string.IsNullOrWhiteSpace(endpoint);
        var hasIndex = !string.IsNullOrWhiteSpace(index);

        // Half a configuration is a mistake, not a request for the offline corpus: silently answering from
        // sample documents in production would be far worse than failing at startup.
        if (hasEndpoint != hasIndex)
        {
            throw new InvalidOperationException(
                $"Azure AI Search is half configured: set both {EndpointKey} and {IndexKey}, or neither to use the local corpus ({(hasEndpoint ? IndexKey : EndpointKey)} is missing).");
        }

        if (hasEndpoint)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri))
            {
                throw new InvalidOperationException($"{EndpointKey} '{endpoint}' is not an absolute URI.");
            }

            var apiKey = configuration[ApiKeyKey];
            var options = new AzureAiSearchOptions(endpointUri, index!.Trim(), string.IsNullOrWhiteSpace(apiKey) ? null : apiKey.Trim());
            return options.ApiKey is null
                ? new AzureAiSearchProvider(options, credential ?? new DefaultAzureCredential())
                : new AzureAiSearchProvider(options);
        }

        var folder = CorpusLocator.Resolve(configuration[CorpusPathKey], baseDirectory ?? AppContext.BaseDirectory);
        return CorpusSearchProvider.FromDirectory(folder);
    }
}
