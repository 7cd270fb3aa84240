using AgentFunctions.Durable;

namespace AgentFunctions.Host.Configuration;

/// <summary>host.json <c>extensions.durableTask</c>, as Durable Functions reads it.</summary>
/// <param name="HubName">The task hub name.</param>
/// <param name="MaxConcurrentActivityFunctions">Activities executed at once.</param>
/// <param name="MaxConcurrentOrchestratorFunctions">Orchestration episodes processed at once.</param>
/// <param name="ControlQueueBufferThreshold">
/// <c>storageProvider.controlQueueBufferThreshold</c>: control messages buffered in memory at most before new ones
/// wait in the queue (Azure Storage backend).
/// </param>
public sealed record DurableTaskHostSettings(string HubName, int MaxConcurrentActivityFunctions, int MaxConcurrentOrchestratorFunctions, int ControlQueueBufferThreshold = 256)
{
    /// <summary>The hub name used when host.json does not set one.</summary>
    public const string DefaultHubName = "AgentFunctionsHub";

    private const string Prefix = FunctionsConfigurationExtensions.JobHostSection + ":extensions:durableTask:";

    /// <summary>The worker options these settings imply.</summary>
    public DurableTaskWorkerOptions ToWorkerOptions() => new()
    {
        MaxConcurrentActivities = MaxConcurrentActivityFunctions,
        MaxConcurrentOrchestrations = MaxConcurrentOrchestratorFunctions,
    };

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
            read.Int(Prefix + "storageProvider:controlQueueBufferThreshold", 256, 1, 10_000));
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
