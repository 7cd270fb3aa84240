using AgentFunctions.Host.Durable;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Host.Operations;
using AgentFunctions.Research.Publishing;
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
        var connection = StorageConnection.Resolve(configuration);
        services.AddSingleton<IBatchStarter>(sp => new DurableClientBatchStarter(sp.GetRequiredService<DurableTaskClient>()));
        services.AddSingleton(sp => new BatchQueueTrigger(
            connection,
            sp.GetRequiredService<IBatchStarter>(),
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
