using AgentFunctions.Durable;
using AgentFunctions.Host.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Host.Hosting;

/// <summary>The seam that picks the task hub's storage from <c>AgentFunctions:Backend</c>.</summary>
public static class DurableBackendRegistration
{
    /// <summary>
    /// Registers the configured backend. A backend may also register durable <c>IIdempotencyStore</c> and
    /// <c>IDeliveryLog</c> implementations; the host adds in-memory ones only where none was registered.
    /// </summary>
    /// <exception cref="HostConfigurationException">The configured backend is not available in this build.</exception>
    public static IServiceCollection AddDurableBackend(this IServiceCollection services, HostSettings settings, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(configuration);
        switch (settings.Backend)
        {
            case DurableBackendKind.InMemory:
                services.AddInMemoryDurableBackend();
                break;
            case DurableBackendKind.AzureStorage:
                // To be enabled when AgentFunctions.Durable.AzureStorage lands: one line,
                // services.AddAzureStorageDurableBackend(configuration, settings.DurableTask.HubName);
                throw new HostConfigurationException(
                    "AgentFunctions:Backend",
                    "'AzureStorage' was requested but this build has no Azure Storage backend yet. Set AgentFunctions:Backend=InMemory (runs are lost on restart) or use a build that includes AgentFunctions.Durable.AzureStorage.");
            default:
                throw new HostConfigurationException("AgentFunctions:Backend", $"'{settings.Backend}' is not supported.");
        }

        return services;
    }
}
