using AgentFunctions.Durable.Backend;
using AgentFunctions.Durable.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Durable;

/// <summary>Wires the durable runtime into a service collection.</summary>
public static class DurableTaskServiceCollectionExtensions
{
    /// <summary>
    /// Adds the registry, the worker (as a hosted service) and the client. A backend must be registered too:
    /// <see cref="AddInMemoryDurableBackend"/> or the Azure Storage one.
    /// </summary>
    public static IServiceCollection AddDurableTask(
        this IServiceCollection services,
        Action<DurableTaskRegistry> register,
        DurableTaskWorkerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(register);
        var registry = new DurableTaskRegistry();
        register(registry);
        services.AddSingleton(registry);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(DataConverter.Default);
        services.AddSingleton(options ?? new DurableTaskWorkerOptions());
        services.AddSingleton(sp => new DurableTaskWorker(
            sp.GetRequiredService<IOrchestrationBackend>(),
            registry,
            sp,
            sp.GetRequiredService<DurableTaskWorkerOptions>(),
            sp.GetRequiredService<DataConverter>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()));
        services.AddHostedService(sp => sp.GetRequiredService<DurableTaskWorker>());
        services.AddSingleton(sp => new DurableTaskClient(
            sp.GetRequiredService<IOrchestrationBackend>(),
            registry,
            sp.GetRequiredService<DataConverter>(),
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>Uses the in-memory backend (nothing survives the process).</summary>
    public static IServiceCollection AddInMemoryDurableBackend(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IOrchestrationBackend>(sp => new InMemoryOrchestrationBackend(sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
