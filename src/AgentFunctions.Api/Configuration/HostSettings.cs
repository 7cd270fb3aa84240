using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Host.Configuration;

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
            IdempotencyRetention = read.Duration("AgentFunctions:Idempotency:Retention", TimeSpan.FromHours(24), TimeSpan.FromMinutes(1), TimeSpan.FromDays(30)),
        };
    }
}
