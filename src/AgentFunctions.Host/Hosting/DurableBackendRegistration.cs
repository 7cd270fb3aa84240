using AgentFunctions.Durable;
using AgentFunctions.Durable.AzureStorage;
using AgentFunctions.Durable.Backend;
using Microsoft.Extensions.Logging;
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
                var account = StorageAccountFactory.Create(configuration);
                services.AddSingleton(account);
                services.AddSingleton<IOrchestrationBackend>(sp => new AzureStorageOrchestrationBackend(
                    account,
                    new AzureStorageBackendOptions
                    {
                        TaskHubName = settings.DurableTask.HubName,
                        HostId = configuration["AgentFunctions:HostId"],
                    },
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetService<ILoggerFactory>()));
                break;
            default:
                throw new HostConfigurationException("AgentFunctions:Backend", $"'{settings.Backend}' is not supported.");
        }

        return services;
    }
}
