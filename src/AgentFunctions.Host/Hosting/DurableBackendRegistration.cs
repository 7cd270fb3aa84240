using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Durable;
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
        services.AddDurableKeyStores(settings, connection);
        return services;
    }
}
