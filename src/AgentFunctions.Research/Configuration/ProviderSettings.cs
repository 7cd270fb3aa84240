using AgentFunctions.Research.Models;
using AgentFunctions.Research.Search;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Research.Configuration;

/// <summary>
/// Startup checks of the model and search provider settings. The providers are built on first use, so without these
/// a malformed endpoint would surface as a failed run minutes later instead of a host that refuses to start.
/// </summary>
public static class ProviderSettings
{
    /// <summary>Throws when a model or search setting cannot work.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="baseDirectory">What a relative corpus path is resolved against; <see cref="AppContext.BaseDirectory"/> when null.</param>
    /// <exception cref="InvalidSettingException">A setting is malformed or half of a pair is missing; the message names its key.</exception>
    public static void Validate(IConfiguration configuration, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var model = ModelProviderSettings.From(key => configuration[key]);
        if (!model.UsesOfflineModel)
        {
            HttpUrl(ModelProviderSettings.EndpointKey, model.Endpoint!);
            if (model.Deployment is null)
            {
                throw new InvalidSettingException(
                    ModelProviderSettings.DeploymentKey, $"is required when {ModelProviderSettings.EndpointKey} is set: name the model deployment.");
            }
        }

        var searchEndpoint = Value(configuration, SearchProviderFactory.EndpointKey);
        var searchIndex = Value(configuration, SearchProviderFactory.IndexKey);
        if ((searchEndpoint is null) != (searchIndex is null))
        {
            // Half a configuration is a mistake, not a request for the offline corpus.
            var (missing, present) = searchEndpoint is null
                ? (SearchProviderFactory.EndpointKey, SearchProviderFactory.IndexKey)
                : (SearchProviderFactory.IndexKey, SearchProviderFactory.EndpointKey);
            throw new InvalidSettingException(missing, $"is required when {present} is set (set both to use Azure AI Search, or neither for the local corpus).");
        }

        if (searchEndpoint is not null)
        {
            HttpUrl(SearchProviderFactory.EndpointKey, searchEndpoint);
        }
        else if (Value(configuration, SearchProviderFactory.CorpusPathKey) is { } corpus)
        {
            var full = Path.GetFullPath(corpus, baseDirectory ?? AppContext.BaseDirectory);
            if (!Directory.Exists(full))
            {
                throw new InvalidSettingException(SearchProviderFactory.CorpusPathKey, $"the folder '{corpus}' (resolved to '{full}') does not exist.");
            }
        }
    }

    private static string? Value(IConfiguration configuration, string key) =>
        string.IsNullOrWhiteSpace(configuration[key]) ? null : configuration[key]!.Trim();

    private static void HttpUrl(string key, string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new InvalidSettingException(key, $"'{text}' is not an absolute https URL.");
        }
    }
}
