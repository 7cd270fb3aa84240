using AgentFunctions.Host.Configuration;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Host.Durable;

/// <summary>
/// The Durable Task engine of the local host: DurableTask.Core's <see cref="TaskHubWorker"/> over the Azure Storage
/// provider, running the <c>Microsoft.DurableTask</c> orchestrators and activities of a <see cref="DurableTaskRegistry"/>
/// in this process through the SDK's shims, as the Durable Functions extension runs them in Azure.
/// </summary>
internal sealed class TaskHubEngine : IHostedService, IAsyncDisposable
{
    private readonly AzureStorageOrchestrationService _service;
    private readonly TaskHubWorker _worker;
    private readonly ILogger _logger;
    private readonly string _hubName;

    public TaskHubEngine(
        AzureStorageOrchestrationService service,
        DurableTaskRegistry registry,
        DurableTaskWorkerOptions workerOptions,
        IServiceProvider services,
        ILoggerFactory loggerFactory,
        string hubName)
    {
        _service = service;
        _hubName = hubName;
        _logger = loggerFactory.CreateLogger<TaskHubEngine>();
        var shims = new DurableTaskShimFactory(workerOptions, loggerFactory);
        _worker = new TaskHubWorker(
            service,
            new OrchestratorObjectManager(registry, services, shims),
            new ActivityObjectManager(registry, services, shims),
            loggerFactory)
        {
            // Failures cross the durable boundary as structured details, so IsCausedBy<T>() works in orchestrators.
            ErrorPropagationMode = ErrorPropagationMode.UseFailureDetails,
        };
        _worker.AddOrchestrationDispatcherMiddleware(OrchestratorObjectManager.BindParentAsync);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _service.CreateIfNotExistsAsync().WaitAsync(cancellationToken);
        await _worker.StartAsync().WaitAsync(cancellationToken);
        _logger.LogInformation("Durable Task engine started on task hub '{HubName}' (Azure Storage provider)", _hubName);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A forced stop abandons in-flight work items at once; their messages reappear for the next host.
        try
        {
            await _worker.StopAsync(isForced: true).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            _logger.LogInformation("Durable Task engine stopped on task hub '{HubName}'; its partition and app leases are released for the next host.", _hubName);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            _logger.LogWarning("The Durable Task engine did not stop within 10 s; leases expire by themselves.");
        }
    }

    public ValueTask DisposeAsync()
    {
        _worker.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The provider settings for a hub: host.json's values, the storage connection, and a worker id per process.</summary>
    public static AzureStorageOrchestrationServiceSettings CreateSettings(
        DurableTaskHostSettings settings, StorageAccountClientProvider storage, ILoggerFactory loggerFactory, string? workerId = null) => new()
    {
        TaskHubName = settings.HubName,
        StorageAccountClientProvider = storage,
        PartitionCount = settings.PartitionCount,
        ControlQueueBatchSize = settings.ControlQueueBatchSize,
        ControlQueueBufferThreshold = settings.ControlQueueBufferThreshold,
        MaxQueuePollingInterval = settings.MaxQueuePollingInterval ?? DurableTaskHostSettings.LocalMaxQueuePollingInterval,
        ControlQueueVisibilityTimeout = settings.ControlQueueVisibilityTimeout ?? DurableTaskHostSettings.LocalVisibilityTimeout,
        WorkItemQueueVisibilityTimeout = settings.WorkItemQueueVisibilityTimeout ?? DurableTaskHostSettings.LocalVisibilityTimeout,
        MaxConcurrentTaskActivityWorkItems = settings.MaxConcurrentActivityFunctions,
        MaxConcurrentTaskOrchestrationWorkItems = settings.MaxConcurrentOrchestratorFunctions,
        ExtendedSessionsEnabled = settings.ExtendedSessionsEnabled,
        ExtendedSessionIdleTimeout = settings.ExtendedSessionIdleTimeout ?? TimeSpan.FromSeconds(30),
        LeaseInterval = settings.LeaseInterval ?? DurableTaskHostSettings.LocalLeaseInterval,
        // The table partition manager renews and looks for expired leases once per acquire interval: a quarter of the
        // lease leaves three missed renewals of slack and finds a dead host's partitions soon after they expire.
        LeaseRenewInterval = (settings.LeaseInterval ?? DurableTaskHostSettings.LocalLeaseInterval) / 4,
        LeaseAcquireInterval = (settings.LeaseInterval ?? DurableTaskHostSettings.LocalLeaseInterval) / 4,

        // A process that restarts after a crash must not look like the one that held the leases.
        WorkerId = workerId ?? $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}",
        LoggerFactory = loggerFactory,

        // A start whose id a pending or running instance holds must fail loudly (409 to the caller), not vanish.
        ThrowExceptionOnInvalidDedupeStatus = true,
    };
}
