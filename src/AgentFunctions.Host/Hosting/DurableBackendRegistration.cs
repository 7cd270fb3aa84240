using AgentFunctions.Host.Approvals;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Durable;
using AgentFunctions.Host.Research;
using AgentFunctions.Research.Orchestration;
using DurableTask.AzureStorage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Host.Hosting;

/// <summary>Registers the task hub: the Durable Task engine, its Azure Storage provider and the host's client.</summary>
public static class DurableBackendRegistration
{
    /// <summary>
    /// Registers the engine on the hub host.json names, in the storage <c>AzureWebJobsStorage</c> names, with the
    /// pipeline's orchestrators and activities; <see cref="DurableTaskClient"/> resolves to the host's own client
    /// over the same provider. Also the host's tables next to the hub (idempotency keys, webhook deliveries), swept
    /// after their retention.
    /// </summary>
    public static IServiceCollection AddDurableBackend(this IServiceCollection services, HostSettings settings, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(configuration);
        var connection = StorageConnection.Resolve(configuration);
        services.AddSingleton(connection);
        var storage = connection.ConnectionString is { } connectionString
            ? new StorageAccountClientProvider(connectionString)
            : new StorageAccountClientProvider(connection.BlobServiceUri, connection.QueueServiceUri, connection.TableServiceUri, connection.Credential!);
        services.AddSingleton(sp => new AzureStorageOrchestrationService(
            TaskHubEngine.CreateSettings(settings.DurableTask, storage, sp.GetRequiredService<ILoggerFactory>())));
        services.AddSingleton(_ => ResearchPipeline.Register(new DurableTaskRegistry()));
        services.AddSingleton(new DurableTaskWorkerOptions { DataConverter = ResearchJson.Converter });
        services.AddSingleton(sp => new LocalDurableTaskClient(
            sp.GetRequiredService<AzureStorageOrchestrationService>(),
            ResearchJson.Converter,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<DurableTaskRegistry>().GetOrchestrators().Select(o => o.Key.Name)));
        services.AddSingleton<DurableTaskClient>(sp => sp.GetRequiredService<LocalDurableTaskClient>());
        services.AddHostedService(sp => new TaskHubEngine(
            sp.GetRequiredService<AzureStorageOrchestrationService>(),
            sp.GetRequiredService<DurableTaskRegistry>(),
            sp.GetRequiredService<DurableTaskWorkerOptions>(),
            sp,
            sp.GetRequiredService<ILoggerFactory>(),
            settings.DurableTask.HubName));
        AddTableKeyStores(services, connection, settings);
        return services;
    }

    private static void AddTableKeyStores(IServiceCollection services, StorageConnection connection, HostSettings settings)
    {
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
