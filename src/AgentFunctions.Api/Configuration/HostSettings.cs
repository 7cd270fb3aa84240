using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Host.Configuration;

/// <summary>How the console log is written (<c>AgentFunctions:Logging:Format</c>).</summary>
public enum LogFormat
{
    /// <summary>One line per entry, with the run's InstanceId scope.</summary>
    Simple,

    /// <summary>One JSON object per entry.</summary>
    Json,
}

/// <summary>
/// Every setting the host itself uses, read once at startup and validated: a bad value stops the host with
/// a message naming the key. The documented list lives in <c>local.settings.json.example</c> and <c>host.json</c>.
/// </summary>
public sealed record HostSettings
{
    /// <summary>Default body limit for JSON and form posts (64 KB).</summary>
    public const int DefaultMaxRequestBodyBytes = 64 * 1024;

    /// <summary>host.json <c>extensions.durableTask</c>.</summary>
    public required DurableTaskHostSettings DurableTask { get; init; }

    /// <summary>host.json <c>extensions.queues</c>.</summary>
    public required QueuesHostSettings Queues { get; init; }

    /// <summary><c>AgentFunctions:Http:MaxRequestBodyBytes</c>: larger posts are answered 413.</summary>
    public required int MaxRequestBodyBytes { get; init; }

    /// <summary>Function and system keys.</summary>
    public required FunctionKeys Keys { get; init; }

    /// <summary>Review settings.</summary>
    public required ReviewSettings Review { get; init; }

    /// <summary><c>AgentFunctions:Idempotency:Retention</c>: how long an Idempotency-Key maps to its instance.</summary>
    public required TimeSpan IdempotencyRetention { get; init; }

    /// <summary>
    /// <c>AgentFunctions:Sweep:Interval</c>: how often the host deletes Idempotency-Keys and webhook delivery ids
    /// whose retention is over (AzureStorage backend; in memory they are dropped as they expire).
    /// </summary>
    public required TimeSpan SweepInterval { get; init; }

    /// <summary>Telemetry exporters' settings.</summary>
    public TelemetrySettings Telemetry { get; init; } = new(null, null);

    /// <summary><c>AgentFunctions:Logging:Format</c>: simple (default) or json.</summary>
    public LogFormat LogFormat { get; init; }

    /// <summary>Operations view settings.</summary>
    public OperationsSettings Operations { get; init; } = OperationsSettings.Default;

    /// <summary>Reads and validates the settings.</summary>
    /// <exception cref="HostConfigurationException">A setting is malformed or out of range.</exception>
    public static HostSettings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var read = new SettingReader(configuration);
        if (read.String("AgentFunctions:Backend") is { } backend && !string.Equals(backend, "AzureStorage", StringComparison.OrdinalIgnoreCase))
        {
            // The in-memory engine went with our own runtime: runs live in a task hub on Azure Storage, as in Azure.
            throw new HostConfigurationException(
                "AgentFunctions:Backend", $"'{backend}' is not available; the host runs the Durable Task engine on Azure Storage (Azurite locally). Remove the setting.");
        }

        return new HostSettings
        {
            DurableTask = DurableTaskHostSettings.Load(read),
            Queues = QueuesHostSettings.Load(read),
            MaxRequestBodyBytes = read.Int("AgentFunctions:Http:MaxRequestBodyBytes", DefaultMaxRequestBodyBytes, 1024, 16 * 1024 * 1024),
            Keys = new FunctionKeys(read.List("AgentFunctions:Keys:Function"), read.List("AgentFunctions:Keys:System")),
            Review = ReviewSettings.Load(read),
            Operations = OperationsSettings.Load(read),
            IdempotencyRetention = read.Duration("AgentFunctions:Idempotency:Retention", TimeSpan.FromHours(24), TimeSpan.FromMinutes(1), TimeSpan.FromDays(30)),
            SweepInterval = read.Duration("AgentFunctions:Sweep:Interval", TimeSpan.FromHours(1), TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
            LogFormat = read.String("AgentFunctions:Logging:Format")?.ToUpperInvariant() switch
            {
                null or "SIMPLE" => LogFormat.Simple,
                "JSON" => LogFormat.Json,
                _ => throw new HostConfigurationException("AgentFunctions:Logging:Format", $"'{read.String("AgentFunctions:Logging:Format")}' is not a log format; use simple or json."),
            },
            Telemetry = TelemetrySettings.Load(read),
        };
    }
}
