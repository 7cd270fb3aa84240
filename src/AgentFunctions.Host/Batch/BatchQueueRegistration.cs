using AgentFunctions.Durable;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Research.Publishing;
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

        var connection = StorageConnection.Resolve(configuration);
        services.AddSingleton<IBatchStarter>(sp => new DurableClientBatchStarter(sp.GetRequiredService<DurableTaskClient>()));
        services.AddHostedService(sp => new BatchQueueTrigger(
            connection,
            sp.GetRequiredService<IBatchStarter>(),
            settings,
            sp.GetRequiredService<CallbackUrlPolicy>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<BatchQueueTrigger>>()));
        return services;
    }
}
