using AgentFunctions.Host.Approvals;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Durable;
using AgentFunctions.Host.Research;
using AgentFunctions.Research.Orchestration;
using Azure.Identity;
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
    /// over the same provider. Also the host's tables next to the hub (idempotency keys, webhook deliveries).
    /// </summary>
    public static IServiceCollection AddDurableBackend(this IServiceCollection services, HostSettings settings, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(configuration);
        var storage = CreateStorageProvider(configuration);
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

        var account = StorageAccountFactory.Create(configuration);
        services.AddSingleton(account);
        AddTableKeyStores(services, account, settings);
        return services;
    }

    /// <summary>
    /// The engine's storage as the Functions host reads <c>AzureWebJobsStorage</c>: a connection string (Azurite's
    /// <c>UseDevelopmentStorage=true</c> when unset), or identity-based <c>__accountName</c> / <c>__*ServiceUri</c>.
    /// </summary>
    internal static StorageAccountClientProvider CreateStorageProvider(IConfiguration configuration)
    {
        var section = configuration.GetSection(StorageAccountFactory.Key);
        var accountName = section["accountName"];
        var blob = section["blobServiceUri"];
        if (!string.IsNullOrWhiteSpace(accountName) || !string.IsNullOrWhiteSpace(blob))
        {
            Uri Endpoint(string service, string? explicitUri) =>
                Uri.TryCreate(explicitUri ?? $"https://{accountName}.{service}.core.windows.net", UriKind.Absolute, out var uri)
                    ? uri
                    : throw new HostConfigurationException($"{StorageAccountFactory.Key}:{service}ServiceUri", $"'{explicitUri}' is not an absolute URI.");
            var credential = section["clientId"] is { Length: > 0 } clientId
                ? new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId })
                : new DefaultAzureCredential();
            return new StorageAccountClientProvider(
                Endpoint("blob", blob), Endpoint("queue", section["queueServiceUri"]), Endpoint("table", section["tableServiceUri"]), credential);
        }

        var connectionString = configuration[StorageAccountFactory.Key];
        try
        {
            return new StorageAccountClientProvider(string.IsNullOrWhiteSpace(connectionString) ? "UseDevelopmentStorage=true" : connectionString);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new HostConfigurationException(StorageAccountFactory.Key, $"not a storage connection string: {ex.Message}");
        }
    }

    private static void AddTableKeyStores(IServiceCollection services, AgentFunctions.Storage.StorageAccountClient account, HostSettings settings)
    {
        var names = new HostTableNames(settings.DurableTask.HubName);
        var idempotency = account.GetTableClient(names.Idempotency);
        var deliveries = account.GetTableClient(names.Deliveries);
        services.AddSingleton<IIdempotencyStore>(sp => new TableIdempotencyStore(idempotency, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IDeliveryLog>(sp => new TableDeliveryLog(
            deliveries, settings.Review.DeliveryRetention, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TableDeliveryLog>>()));
        services.AddHostedService(sp => new HostTablesInitializer([idempotency, deliveries], sp.GetRequiredService<ILogger<HostTablesInitializer>>()));
    }
}
