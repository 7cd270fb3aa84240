namespace AgentFunctions.Host.Configuration;

/// <summary>
/// host.json <c>extensions.durableTask</c>, read with Durable Functions' names. Where host.json is silent the local
/// host picks values for one developer machine on Azurite rather than for a fleet on Azure Storage (see remarks).
/// </summary>
/// <remarks>
/// <para>Durable Functions' defaults favour cost on Azure: an idle queue is polled at most every 30 s and messages a
/// crashed worker held stay hidden 5 minutes. On a laptop that makes every step after a pause wait up to 30 s and a
/// restart after a crash wait 5 minutes, so the local defaults are: <c>maxQueuePollingInterval</c> 100 ms,
/// control and work-item messages hidden 10 s (renewed while work runs), partition leases of 8 s renewed every 2 s
/// (a host restarted after <c>kill -9</c> claims the dead one's partitions within about 10 s; 10 s messages are the
/// floor, because messages buffered for a busy instance are not renewed and must not reappear while they wait),
/// and extended sessions on (an instance's history stays in memory between episodes, which spares a history read
/// per step). Setting any of these in host.json wins, as it does in Azure.</para>
/// <para>Partition count, control-queue batch size and concurrency keep Durable Functions' defaults, so a local hub
/// has the same queues, tables and containers as one in Azure.</para>
/// </remarks>
/// <param name="HubName">The task hub name.</param>
/// <param name="MaxConcurrentActivityFunctions">Activities executed at once.</param>
/// <param name="MaxConcurrentOrchestratorFunctions">Orchestration episodes processed at once.</param>
/// <param name="PartitionCount"><c>storageProvider.partitionCount</c>: control queues (1 to 16).</param>
/// <param name="ControlQueueBatchSize"><c>storageProvider.controlQueueBatchSize</c>: messages fetched per control-queue read.</param>
/// <param name="ControlQueueBufferThreshold"><c>storageProvider.controlQueueBufferThreshold</c>: control messages buffered in memory at most.</param>
/// <param name="MaxQueuePollingInterval"><c>storageProvider.maxQueuePollingInterval</c>: longest wait between polls of an idle queue.</param>
/// <param name="ControlQueueVisibilityTimeout"><c>storageProvider.controlQueueVisibilityTimeout</c>.</param>
/// <param name="WorkItemQueueVisibilityTimeout"><c>storageProvider.workItemQueueVisibilityTimeout</c>.</param>
/// <param name="ExtendedSessionsEnabled"><c>extendedSessionsEnabled</c>.</param>
/// <param name="ExtendedSessionIdleTimeout"><c>extendedSessionIdleTimeoutInSeconds</c>.</param>
/// <param name="LeaseInterval">How long a partition lease lasts unrenewed (local host only; not a host.json setting).</param>
public sealed record DurableTaskHostSettings(
    string HubName,
    int MaxConcurrentActivityFunctions,
    int MaxConcurrentOrchestratorFunctions,
    int PartitionCount = 4,
    int ControlQueueBatchSize = 32,
    int ControlQueueBufferThreshold = 128,
    TimeSpan? MaxQueuePollingInterval = null,
    TimeSpan? ControlQueueVisibilityTimeout = null,
    TimeSpan? WorkItemQueueVisibilityTimeout = null,
    bool ExtendedSessionsEnabled = true,
    TimeSpan? ExtendedSessionIdleTimeout = null,
    TimeSpan? LeaseInterval = null)
{
    /// <summary>The hub name used when host.json does not set one.</summary>
    public const string DefaultHubName = "AgentFunctionsHub";

    /// <summary>The local default of <see cref="MaxQueuePollingInterval"/>.</summary>
    public static readonly TimeSpan LocalMaxQueuePollingInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The local default of both visibility timeouts.</summary>
    public static readonly TimeSpan LocalVisibilityTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The local partition lease.</summary>
    public static readonly TimeSpan LocalLeaseInterval = TimeSpan.FromSeconds(8);

    private const string Prefix = FunctionsConfigurationExtensions.JobHostSection + ":extensions:durableTask:";
    private const string Storage = Prefix + "storageProvider:";

    internal static DurableTaskHostSettings Load(SettingReader read)
    {
        var hub = read.String(Prefix + "hubName") ?? DefaultHubName;
        if (ValidateHubName(hub) is { } problem)
        {
            throw new HostConfigurationException(SettingReader.Describe(Prefix + "hubName"), problem);
        }

        var perCore = Environment.ProcessorCount * 10;
        return new DurableTaskHostSettings(
            hub,
            read.Int(Prefix + "maxConcurrentActivityFunctions", perCore, 1, 10_000),
            read.Int(Prefix + "maxConcurrentOrchestratorFunctions", perCore, 1, 10_000),
            read.Int(Storage + "partitionCount", 4, 1, 16),
            read.Int(Storage + "controlQueueBatchSize", 32, 1, 32),
            read.Int(Storage + "controlQueueBufferThreshold", 128, 1, 1000),
            read.Duration(Storage + "maxQueuePollingInterval", LocalMaxQueuePollingInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10)),
            read.Duration(Storage + "controlQueueVisibilityTimeout", LocalVisibilityTimeout, TimeSpan.FromSeconds(5), TimeSpan.FromHours(1)),
            read.Duration(Storage + "workItemQueueVisibilityTimeout", LocalVisibilityTimeout, TimeSpan.FromSeconds(5), TimeSpan.FromHours(1)),
            read.Bool(Prefix + "extendedSessionsEnabled", true),
            TimeSpan.FromSeconds(read.Int(Prefix + "extendedSessionIdleTimeoutInSeconds", 30, 1, 3600)),
            LocalLeaseInterval);
    }

    /// <summary>
    /// Durable Functions' task hub rules for Azure Storage: 3 to 45 characters, letters and digits only,
    /// starting with a letter (the name prefixes queues, tables and blob containers). Null when valid.
    /// </summary>
    public static string? ValidateHubName(string hubName)
    {
        ArgumentNullException.ThrowIfNull(hubName);
        if (hubName.Length is < 3 or > 45)
        {
            return $"'{hubName}' is {hubName.Length} characters; a task hub name has 3 to 45.";
        }

        if (!char.IsAsciiLetter(hubName[0]))
        {
            return $"'{hubName}' must start with a letter.";
        }

        return hubName.All(char.IsAsciiLetterOrDigit)
            ? null
            : $"'{hubName}' may contain only letters and digits (no '-', '_' or spaces): it prefixes Azure queue, table and container names.";
    }
}
