using AgentFunctions.Durable;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Host.Operations;
using AgentFunctions.Research.Publishing;
using AgentFunctions.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Host.Batch;

/// <summary>Wires the <c>research-batch</c> queue trigger.</summary>
public static class BatchQueueRegistration
{
    /// <summary>
    /// Registers <see cref="BatchQueueTrigger"/> when the backend is Azure Storage (the queue lives in
    /// <c>AzureWebJobsStorage</c>); with the in-memory backend there is no storage account and the trigger is
    /// off, which the startup report says.
    /// </summary>
    public static IServiceCollection AddBatchQueueTrigger(this IServiceCollection services, HostSettings settings, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(configuration);
        if (settings.Backend != DurableBackendKind.AzureStorage)
        {
            return services;
        }

        // A client of its own with encoding None: the trigger decodes per host.json and must forward poison
        // messages exactly as stored, which the task hub's base64 client would re-encode.
        // Registered in the container so that it is disposed with it.
        services.AddKeyedSingleton(BatchQueueTrigger.QueueName, (_, _) =>
            StorageAccountFactory.Create(configuration, new StorageClientOptions { MessageEncoding = Storage.Queues.QueueMessageEncoding.None }));
        services.AddSingleton(sp => new BatchQueueTrigger(
            sp.GetRequiredKeyedService<StorageAccountClient>(BatchQueueTrigger.QueueName),
            sp.GetRequiredService<DurableTaskClient>(),
            settings,
            sp.GetRequiredService<CallbackUrlPolicy>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<BatchQueueTrigger>>()));
        services.AddHostedService(sp => sp.GetRequiredService<BatchQueueTrigger>());

        // The operations page reads the queue's depth through the trigger, which owns the queue clients.
        services.AddSingleton<IBatchQueueMonitor>(sp => sp.GetRequiredService<BatchQueueTrigger>());
        return services;
    }
}
