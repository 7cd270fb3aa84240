using AgentFunctions.Host.Durable;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
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
    /// Registers <see cref="BatchQueueTrigger"/> on the <c>research-batch</c> queue of <c>AzureWebJobsStorage</c>.
    /// </summary>
    public static IServiceCollection AddBatchQueueTrigger(this IServiceCollection services, HostSettings settings, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(configuration);
        // A client of its own with encoding None: the trigger decodes per host.json and must forward poison
        // messages exactly as stored, which the task hub's base64 client would re-encode.
        // Registered in the container so that it is disposed with it.
        services.AddKeyedSingleton(BatchQueueTrigger.QueueName, (_, _) =>
            StorageAccountFactory.Create(configuration, new StorageClientOptions { MessageEncoding = Storage.Queues.QueueMessageEncoding.None }));
        services.AddHostedService(sp => new BatchQueueTrigger(
            sp.GetRequiredKeyedService<StorageAccountClient>(BatchQueueTrigger.QueueName),
            sp.GetRequiredService<DurableTaskClient>(),
            settings,
            sp.GetRequiredService<CallbackUrlPolicy>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<BatchQueueTrigger>>()));
        return services;
    }
}
