using AgentFunctions.Durable;
using AgentFunctions.Durable.AzureStorage;
using AgentFunctions.Durable.Backend;
using AgentFunctions.Host.Approvals;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Research;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Host.Hosting;

/// <summary>The seam that picks the task hub's storage from <c>AgentFunctions:Backend</c>.</summary>
public static class DurableBackendRegistration
{
    /// <summary>
    /// Registers the configured backend. Azure Storage also brings durable <c>IIdempotencyStore</c> and
    /// <c>IDeliveryLog</c> implementations in tables next to the task hub (<see cref="HostTableNames"/>,
    /// created at startup); the host adds in-memory ones only where none was registered.
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
                services.AddHostedService(sp => new StorageRequestReport(account, sp.GetRequiredService<ILogger<StorageRequestReport>>()));
                services.AddSingleton<IOrchestrationBackend>(sp => new AzureStorageOrchestrationBackend(
                    account,
                    new AzureStorageBackendOptions
                    {
                        TaskHubName = settings.DurableTask.HubName,
                        HostId = configuration["AgentFunctions:HostId"],
                        ControlQueueBufferThreshold = settings.DurableTask.ControlQueueBufferThreshold,
                    },
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetService<ILoggerFactory>()));
                AddTableKeyStores(services, StorageConnection.Resolve(configuration), settings);
                break;
            default:
                throw new HostConfigurationException("AgentFunctions:Backend", $"'{settings.Backend}' is not supported.");
        }

        return services;
    }

    private static void AddTableKeyStores(IServiceCollection services, StorageConnection connection, HostSettings settings)
    {
        services.AddSingleton(connection);
        var names = new HostTableNames(settings.DurableTask.HubName);
        var tables = connection.CreateTableServiceClient();
        var idempotency = tables.GetTableClient(names.Idempotency);
        var deliveries = tables.GetTableClient(names.Deliveries);
        services.AddSingleton(sp => new TableIdempotencyStore(idempotency, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IIdempotencyStore>(sp => sp.GetRequiredService<TableIdempotencyStore>());
        services.AddSingleton(sp => new TableDeliveryLog(
            deliveries, settings.Review.DeliveryRetention, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TableDeliveryLog>>()));
        services.AddSingleton<IDeliveryLog>(sp => sp.GetRequiredService<TableDeliveryLog>());
        services.AddHostedService(sp => new HostTablesInitializer([idempotency, deliveries], sp.GetRequiredService<ILogger<HostTablesInitializer>>()));
        services.AddHostedService(sp => new HostTableSweeper(
            [sp.GetRequiredService<TableIdempotencyStore>(), sp.GetRequiredService<TableDeliveryLog>()],
            settings.SweepInterval,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<HostTableSweeper>>()));
    }
}
