namespace AgentFunctions.Durable.AzureStorage;

/// <summary>Settings of the Azure Storage task-hub backend; the host binds them from host.json.</summary>
public sealed record AzureStorageBackendOptions
{
    /// <summary>The task hub name (host.json <c>extensions.durableTask.hubName</c>): 3-45 letters and digits, starting with a letter.</summary>
    public string TaskHubName { get; init; } = "AgentFunctionsHub";

    /// <summary>
    /// Identifies this host to the task-hub lease. A host restarted with the same id takes its own lease back at
    /// once; another host waits for it to expire. Default: machine name plus hub.
    /// </summary>
    public string? HostId { get; init; }

    /// <summary>
    /// How long received messages stay invisible; held messages are renewed every third of it. It bounds how long
    /// the messages a crashed host held stay hidden from its successor.
    /// </summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest idle wait between polls of an empty queue (Durable Functions: maxQueuePollingInterval). Messages sent by this host wake the pumps at once.</summary>
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Messages fetched per receive call (1-32).</summary>
    public int ControlQueueBatchSize { get; init; } = 32;

    /// <summary>
    /// Activity calls held in memory ahead of the dispatchers. Only the lease holder processes the hub, so holding
    /// calls here takes them from no other host; it costs one visibility renewal per held queue message.
    /// </summary>
    public int ActivityPrefetch { get; init; } = 256;

    /// <summary>Task-hub lease duration (15-60 s): how long a dead host blocks another one.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the lease is renewed.</summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a waiting host tries to take the lease.</summary>
    public TimeSpan LeaseAcquireInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Durable timers due within this window are held in memory and fired on the <see cref="TimeProvider"/>;
    /// later ones are parked in the queue as invisible messages and re-examined when they surface.
    /// </summary>
    public TimeSpan TimerHoldWindow { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Longest visibility delay used to park a timer message (Azure allows 7 days).</summary>
    public TimeSpan MaxTimerVisibilityDelay { get; init; } = TimeSpan.FromDays(6);

    /// <summary>Payloads larger than this many bytes go to the large-message blob container.</summary>
    public int LargePayloadThresholdBytes { get; init; } = 45 * 1024;

    /// <summary>Concurrent storage requests one commit may issue.</summary>
    public int MaxParallelWritesPerCommit { get; init; } = 32;

    /// <summary>
    /// Task messages packed into one queue message at most. Messages sent while earlier sends are in flight
    /// (activity calls of a fan-out, results of activities finishing together, starts of many instances) share
    /// a queue message, within this count and the payload threshold in bytes; 1 turns packing off.
    /// </summary>
    public int MaxMessagesPerQueueMessage { get; init; } = 32;

    /// <summary>
    /// Queue messages the worker's outbox for one queue sends at once (default 1); more waiting messages are packed
    /// behind them, so one lane makes the fewest requests (S1 on Azurite: 2.7 requests per activity, 3.2 with two
    /// lanes). A send stuck in storage retries holds up the others, which a second lane would not fully avoid either:
    /// storage that does not answer one request rarely answers the next. Client sends (starts, raised events) always
    /// use one lane.
    /// </summary>
    public int MaxConcurrentSendsPerQueue { get; init; } = 1;

    /// <summary>
    /// Control messages buffered in memory for their instances at most, before the orchestration dispatchers take
    /// them (Durable Functions' controlQueueBufferThreshold, 256). Beyond it they wait in the queue.
    /// </summary>
    public int ControlQueueBufferThreshold { get; init; } = 256;

    /// <summary>
    /// How long a message this host sends hidden, to dispatch itself, stays hidden before its first renewal (default
    /// 5 s). Most are consumed within milliseconds; after a crash, the next host sees the rest this much sooner
    /// than with the full <see cref="VisibilityTimeout"/>.
    /// </summary>
    public TimeSpan HiddenSendVisibility { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long an instance row may keep an older LastUpdatedTime when an episode changed nothing else in it
    /// (default 5 s). Such episodes skip the row write, one storage request in two per episode; status reads on
    /// the lease holder still see the newer time. Zero writes the row on every episode, as Durable Functions does.
    /// </summary>
    public TimeSpan InstanceRowRefreshInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a start held back by admission control (the host is saturated) stays hidden per renewal (default
    /// 60 s). Such starts may wait minutes; renewing them like running work would cost a request per message every
    /// few seconds. After a crash they become visible to the next host within this time (never sooner than
    /// <see cref="VisibilityTimeout"/>, which applies when it is longer).
    /// </summary>
    public TimeSpan WaitingStartVisibility { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Throws if a value is out of range, naming the setting.</summary>
    public void Validate()
    {
        TaskHubNames.Validate(TaskHubName);
        Require(VisibilityTimeout >= TimeSpan.FromSeconds(5) && VisibilityTimeout <= TimeSpan.FromHours(1), nameof(VisibilityTimeout), "must be between 5 s and 1 h");
        Require(MaxPollingInterval > TimeSpan.Zero && MaxPollingInterval <= TimeSpan.FromMinutes(1), nameof(MaxPollingInterval), "must be between 0 and 1 min");
        Require(ControlQueueBatchSize is >= 1 and <= 32, nameof(ControlQueueBatchSize), "must be between 1 and 32");
        Require(ActivityPrefetch >= 1, nameof(ActivityPrefetch), "must be at least 1");
        Require(LeaseDuration >= TimeSpan.FromSeconds(15) && LeaseDuration <= TimeSpan.FromSeconds(60), nameof(LeaseDuration), "must be between 15 and 60 s (Azure's lease limits)");
        Require(LeaseRenewInterval > TimeSpan.Zero && LeaseRenewInterval < LeaseDuration, nameof(LeaseRenewInterval), "must be positive and shorter than LeaseDuration");
        Require(LeaseAcquireInterval > TimeSpan.Zero, nameof(LeaseAcquireInterval), "must be positive");
        Require(TimerHoldWindow >= TimeSpan.Zero, nameof(TimerHoldWindow), "must not be negative");
        Require(MaxTimerVisibilityDelay >= TimeSpan.Zero && MaxTimerVisibilityDelay <= TimeSpan.FromDays(7), nameof(MaxTimerVisibilityDelay), "must be between 0 and 7 days");
        Require(LargePayloadThresholdBytes is >= 1024 and <= 45 * 1024, nameof(LargePayloadThresholdBytes), "must be between 1 KB and 45 KB (a queue message holds 64 KB once base64-encoded)");
        Require(MaxParallelWritesPerCommit >= 1, nameof(MaxParallelWritesPerCommit), "must be at least 1");
        Require(MaxMessagesPerQueueMessage is >= 1 and <= 256, nameof(MaxMessagesPerQueueMessage), "must be between 1 and 256");
        Require(HiddenSendVisibility >= TimeSpan.FromSeconds(2) && HiddenSendVisibility <= VisibilityTimeout, nameof(HiddenSendVisibility), "must be between 2 s and VisibilityTimeout");
        Require(ControlQueueBufferThreshold >= 1, nameof(ControlQueueBufferThreshold), "must be at least 1");
        Require(InstanceRowRefreshInterval >= TimeSpan.Zero && InstanceRowRefreshInterval <= TimeSpan.FromHours(1), nameof(InstanceRowRefreshInterval), "must be between 0 and 1 h");
        Require(WaitingStartVisibility >= TimeSpan.FromSeconds(5) && WaitingStartVisibility <= TimeSpan.FromHours(1), nameof(WaitingStartVisibility), "must be between 5 s and 1 h");
        Require(MaxConcurrentSendsPerQueue is >= 1 and <= 64, nameof(MaxConcurrentSendsPerQueue), "must be between 1 and 64");
    }

    private static void Require(bool condition, string name, string rule)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(name, $"{name} {rule}.");
        }
    }
}
