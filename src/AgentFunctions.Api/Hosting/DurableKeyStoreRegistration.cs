using AgentFunctions.Host.Approvals;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Research;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Host.Hosting;

/// <summary>
/// Registers the durable Idempotency-Key store and webhook delivery log on Azure Tables, the same way in both hosts,
/// so that every instance on a task hub, local host or Functions worker, honours the same keys and deliveries.
/// </summary>
public static class DurableKeyStoreRegistration
{
    /// <summary>
    /// Registers <see cref="IIdempotencyStore"/> and <see cref="IDeliveryLog"/> over the tables next to the task hub
    /// (<see cref="HostTableNames"/>) in the storage account <c>AzureWebJobsStorage</c> names, with a hosted service
    /// that creates the tables at startup and one that sweeps expired entities. Call it before
    /// <see cref="FrontDoorRegistration.AddResearchFrontDoor"/>, whose in-memory stores yield to these.
    /// </summary>
    /// <exception cref="HostConfigurationException"><c>AzureWebJobsStorage</c> or the hub name is invalid; the message names the key.</exception>
    public static IServiceCollection AddDurableKeyStores(this IServiceCollection services, HostSettings settings, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddDurableKeyStores(settings, StorageConnection.Resolve(configuration));
    }

    /// <summary>As <see cref="AddDurableKeyStores(IServiceCollection, HostSettings, IConfiguration)"/>, on a connection already resolved.</summary>
    /// <exception cref="HostConfigurationException">The hub name does not make valid table names.</exception>
    public static IServiceCollection AddDurableKeyStores(this IServiceCollection services, HostSettings settings, StorageConnection connection)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(connection);
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
        return services;
    }
}
