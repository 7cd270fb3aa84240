using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentFunctions.Research.Search;

/// <summary>Registers the research pipeline's search provider.</summary>
public static class SearchServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ISearchProvider"/> as a singleton chosen by <see cref="SearchProviderFactory.Create"/>:
    /// Azure AI Search when <c>AZURE_SEARCH_ENDPOINT</c> and <c>AZURE_SEARCH_INDEX</c> are set, the local corpus otherwise.
    /// An <see cref="ISearchProvider"/> registered earlier (a test fake, say) is left in place.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application configuration.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddResearchSearch(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        // Built on first use, so the corpus is indexed once per process and a host that never searches pays nothing.
        services.TryAddSingleton(_ => SearchProviderFactory.Create(configuration));
        return services;
    }
}
