namespace AgentFunctions.Host.Configuration;

/// <summary>How queue messages are encoded (host.json <c>extensions.queues.messageEncoding</c>).</summary>
public enum QueueMessageEncoding
{
    /// <summary>Base64 text, the Functions default.</summary>
    Base64,

    /// <summary>The message text as is.</summary>
    None,
}

/// <summary>host.json <c>extensions.queues</c>: the queue trigger's settings, as the Functions host reads them.</summary>
/// <param name="BatchSize">Messages fetched at once (1 to 32).</param>
/// <param name="NewBatchThreshold">
/// The next batch is fetched once no more than this many messages are still being handled (default
/// <c>batchSize / 2</c>, the Functions default on one instance), so at most <c>batchSize + newBatchThreshold</c> run at once.
/// </param>
/// <param name="MaxDequeueCount">Deliveries before a message moves to the poison queue.</param>
/// <param name="VisibilityTimeout">Delay before a failed message is visible again.</param>
/// <param name="MaxPollingInterval">Longest wait between polls of an empty queue.</param>
/// <param name="MessageEncoding">Message encoding.</param>
public sealed record QueuesHostSettings(
    int BatchSize,
    int NewBatchThreshold,
    int MaxDequeueCount,
    TimeSpan VisibilityTimeout,
    TimeSpan MaxPollingInterval,
    QueueMessageEncoding MessageEncoding)
{
    private const string Prefix = FunctionsConfigurationExtensions.JobHostSection + ":extensions:queues:";

    internal static QueuesHostSettings Load(SettingReader read)
    {
        var encodingText = read.String(Prefix + "messageEncoding") ?? "base64";
        var encoding = encodingText.ToUpperInvariant() switch
        {
            "BASE64" => QueueMessageEncoding.Base64,
            "NONE" => QueueMessageEncoding.None,
            _ => throw new HostConfigurationException(SettingReader.Describe(Prefix + "messageEncoding"), $"'{encodingText}' is not an encoding; use base64 or none."),
        };
        var batchSize = read.Int(Prefix + "batchSize", 16, 1, 32);
        return new QueuesHostSettings(
            batchSize,
            read.Int(Prefix + "newBatchThreshold", batchSize / 2, 0, 1000),
            read.Int(Prefix + "maxDequeueCount", 5, 1, 1000),
            read.Duration(Prefix + "visibilityTimeout", TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromDays(7)),
            read.Duration(Prefix + "maxPollingInterval", TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)),
            encoding);
    }
}
