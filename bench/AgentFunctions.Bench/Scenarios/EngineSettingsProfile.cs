using System.Globalization;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Durable;
using DurableTask.AzureStorage;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Bench.Scenarios;

/// <summary>
/// A named set of engine settings to measure: <c>default</c> is DurableTask.AzureStorage's own
/// <see cref="AzureStorageOrchestrationServiceSettings"/> defaults (what an engine left alone runs with); <c>local</c>
/// is what the local host runs with when host.json sets nothing but the repository's concurrency limits (10 activities,
/// 100 orchestrations),
/// built by the host's own <see cref="TaskHubEngine.CreateSettings"/>; <c>tuned</c> is <c>local</c> with the knobs of
/// BENCH_ENGINE ("partitionCount=2;controlQueueBatchSize=32;maxQueuePollingInterval=00:00:00.05;
/// maxConcurrentActivityFunctions=20;maxConcurrentOrchestratorFunctions=20;extendedSessionsEnabled=true;
/// controlQueueBufferThreshold=256;controlQueueVisibilityTimeout=00:05:00;workItemQueueVisibilityTimeout=00:05:00;leaseInterval=00:00:30").
/// </summary>
public sealed record EngineSettingsProfile(string Name, string Description, Func<string, StorageAccountClientProvider, ILoggerFactory, AzureStorageOrchestrationServiceSettings> Create)
{
    /// <summary>The repository's host.json concurrency limits (maxConcurrentActivityFunctions, maxConcurrentOrchestratorFunctions).</summary>
    private const int HostJsonActivities = 10;

    private const int HostJsonOrchestrations = 100;

    /// <summary>The profile named <paramref name="name"/>.</summary>
    public static EngineSettingsProfile Named(string name) => name switch
    {
        "default" => new(name, "DurableTask.AzureStorage defaults", (hub, storage, logs) => new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = hub,
            StorageAccountClientProvider = storage,
            LoggerFactory = logs,
        }),
        "local" => new(name, "local host defaults", (hub, storage, logs) =>
            TaskHubEngine.CreateSettings(new DurableTaskHostSettings(hub, HostJsonActivities, HostJsonOrchestrations), storage, logs)),
        "tuned" => Tuned(Environment.GetEnvironmentVariable("BENCH_ENGINE") ?? ""),
        _ => throw new ArgumentException($"Unknown engine profile '{name}': use default, local or tuned."),
    };

    /// <summary>One line naming the settings that matter for speed, as the engine will run them.</summary>
    public static string Describe(AzureStorageOrchestrationServiceSettings s) => string.Create(
        CultureInfo.InvariantCulture,
        $"partitions {s.PartitionCount}, batch {s.ControlQueueBatchSize}, buffer {s.ControlQueueBufferThreshold}, poll max {s.MaxQueuePollingInterval.TotalMilliseconds:N0} ms, "
        + $"activities {s.MaxConcurrentTaskActivityWorkItems}, orchestrations {s.MaxConcurrentTaskOrchestrationWorkItems}, extended sessions {s.ExtendedSessionsEnabled}, "
        + $"visibility {s.ControlQueueVisibilityTimeout.TotalSeconds:N0}/{s.WorkItemQueueVisibilityTimeout.TotalSeconds:N0} s, lease {s.LeaseInterval.TotalSeconds:N0} s");

    private static EngineSettingsProfile Tuned(string knobs)
    {
        var settings = new DurableTaskHostSettings("x", HostJsonActivities, HostJsonOrchestrations);
        foreach (var pair in knobs.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2)
            {
                throw new ArgumentException($"BENCH_ENGINE: '{pair}' is not key=value.");
            }

            var (key, value) = (parts[0], parts[1]);
            settings = key switch
            {
                "partitionCount" => settings with { PartitionCount = int.Parse(value, CultureInfo.InvariantCulture) },
                "controlQueueBatchSize" => settings with { ControlQueueBatchSize = int.Parse(value, CultureInfo.InvariantCulture) },
                "controlQueueBufferThreshold" => settings with { ControlQueueBufferThreshold = int.Parse(value, CultureInfo.InvariantCulture) },
                "maxQueuePollingInterval" => settings with { MaxQueuePollingInterval = TimeSpan.Parse(value, CultureInfo.InvariantCulture) },
                "maxConcurrentActivityFunctions" => settings with { MaxConcurrentActivityFunctions = int.Parse(value, CultureInfo.InvariantCulture) },
                "maxConcurrentOrchestratorFunctions" => settings with { MaxConcurrentOrchestratorFunctions = int.Parse(value, CultureInfo.InvariantCulture) },
                "extendedSessionsEnabled" => settings with { ExtendedSessionsEnabled = bool.Parse(value) },
                "controlQueueVisibilityTimeout" => settings with { ControlQueueVisibilityTimeout = TimeSpan.Parse(value, CultureInfo.InvariantCulture) },
                "workItemQueueVisibilityTimeout" => settings with { WorkItemQueueVisibilityTimeout = TimeSpan.Parse(value, CultureInfo.InvariantCulture) },
                "leaseInterval" => settings with { LeaseInterval = TimeSpan.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"BENCH_ENGINE: unknown knob '{key}'."),
            };
        }

        return new("tuned", $"local + {knobs}", (hub, storage, logs) => TaskHubEngine.CreateSettings(settings with { HubName = hub }, storage, logs));
    }
}
