using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Host.Configuration;

/// <summary>Which task-hub storage the host runs on (<c>AgentFunctions:Backend</c>).</summary>
public enum DurableBackendKind
{
    /// <summary>Process memory: nothing survives a restart. The default until the Azure Storage backend lands.</summary>
    InMemory,

    /// <summary>Azure Storage queues, tables and blobs (Azurite locally).</summary>
    AzureStorage,
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

    /// <summary><c>AgentFunctions:Backend</c>.</summary>
    public required DurableBackendKind Backend { get; init; }

    /// <summary>Whether <c>AgentFunctions:Backend</c> was set explicitly (otherwise the default applies).</summary>
    public required bool BackendExplicit { get; init; }

    /// <summary><c>AgentFunctions:Http:MaxRequestBodyBytes</c>: larger posts are answered 413.</summary>
    public required int MaxRequestBodyBytes { get; init; }

    /// <summary>Function and system keys.</summary>
    public required FunctionKeys Keys { get; init; }

    /// <summary>Review settings.</summary>
    public required ReviewSettings Review { get; init; }

    /// <summary><c>AgentFunctions:Idempotency:Retention</c>: how long an Idempotency-Key maps to its instance.</summary>
    public required TimeSpan IdempotencyRetention { get; init; }

    /// <summary>Operations view settings.</summary>
    public OperationsSettings Operations { get; init; } = OperationsSettings.Default;

    /// <summary>Reads and validates the settings.</summary>
    /// <exception cref="HostConfigurationException">A setting is malformed or out of range.</exception>
    public static HostSettings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var read = new SettingReader(configuration);
        var backendText = read.String("AgentFunctions:Backend");
        DurableBackendKind backend;
        if (backendText is null)
        {
            // As Functions does: the task hub lives in AzureWebJobsStorage (Azurite unless configured).
            backend = DurableBackendKind.AzureStorage;
        }
        else if (!Enum.TryParse(backendText, ignoreCase: true, out backend) || !Enum.IsDefined(backend))
        {
            throw new HostConfigurationException("AgentFunctions:Backend", $"'{backendText}' is not a backend; use AzureStorage or InMemory.");
        }

        return new HostSettings
        {
            DurableTask = DurableTaskHostSettings.Load(read),
            Queues = QueuesHostSettings.Load(read),
            Backend = backend,
            BackendExplicit = backendText is not null,
            MaxRequestBodyBytes = read.Int("AgentFunctions:Http:MaxRequestBodyBytes", DefaultMaxRequestBodyBytes, 1024, 16 * 1024 * 1024),
            Keys = new FunctionKeys(read.List("AgentFunctions:Keys:Function"), read.List("AgentFunctions:Keys:System")),
            Review = ReviewSettings.Load(read),
            Operations = OperationsSettings.Load(read),
            IdempotencyRetention = read.Duration("AgentFunctions:Idempotency:Retention", TimeSpan.FromHours(24), TimeSpan.FromMinutes(1), TimeSpan.FromDays(30)),
        };
    }
}
