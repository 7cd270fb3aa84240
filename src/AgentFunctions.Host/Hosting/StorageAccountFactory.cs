using AgentFunctions.Host.Configuration;
using AgentFunctions.Storage;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Host.Hosting;

/// <summary>
/// The durable engine's client of the storage account behind <c>AzureWebJobsStorage</c>, resolved by
/// <see cref="StorageConnection"/>. The host's own tables and queues use the Azure SDK clients of that connection.
/// </summary>
public static class StorageAccountFactory
{
    /// <summary>The configuration key.</summary>
    public const string Key = "AzureWebJobsStorage";

    /// <summary>Creates the client; a malformed setting fails naming the key and the part that is wrong.</summary>
    /// <param name="configuration">The host configuration.</param>
    /// <param name="options">Client options (for example a queue message encoding); null for the defaults.</param>
    public static StorageAccountClient Create(IConfiguration configuration, StorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        options ??= new StorageClientOptions();

        // One reading of AzureWebJobsStorage for the engine and for the host's own Azure SDK clients.
        var connection = StorageConnection.Resolve(configuration);
        var limited = WithPriorityLimits(configuration, options, connection.IsDevelopmentStorage);
        if (connection.Credential is { } credential)
        {
            return new StorageAccountClient(connection.BlobServiceUri, connection.QueueServiceUri, connection.TableServiceUri, credential, limited);
        }

        StorageConnectionString parsed;
        try
        {
            parsed = StorageConnectionString.Parse(connection.ConnectionString!);
        }
        catch (FormatException ex)
        {
            throw new HostConfigurationException(Key, ex.Message);
        }

        return new StorageAccountClient(parsed, limited);
    }

    /// <summary>
    /// The default of <c>AgentFunctions:Storage:MaxBackgroundInFlightWhileForeground</c> against the local emulator
    /// (<c>devstoreaccount1</c>). Azurite serves each service from one single-threaded Node.js process, so every
    /// worker request in flight is work a client's request waits behind: at 300 submissions/s, 2 instead of 4 halved
    /// the submit p99 (bench H1, figures in the README). Azure Storage does not queue that way, so it keeps 4.
    /// </summary>
    public const int EmulatorBackgroundInFlightWhileForeground = 2;

    /// <summary>
    /// <c>AgentFunctions:Storage:MaxBackgroundInFlight</c> (default 16) and
    /// <c>AgentFunctions:Storage:MaxBackgroundInFlightWhileForeground</c> (default 4; 2 against the local emulator):
    /// how many of the worker's storage requests may be in flight, and how many while submissions and status reads are.
    /// </summary>
    private static StorageClientOptions WithPriorityLimits(IConfiguration configuration, StorageClientOptions options, bool emulator)
    {
        int Read(string name, int fallback)
        {
            var key = "AgentFunctions:Storage:" + name;
            var text = configuration[key];
            if (string.IsNullOrWhiteSpace(text))
            {
                return fallback;
            }

            return int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= 256
                ? value
                : throw new HostConfigurationException(key, $"'{text}' is not a whole number from 1 to 256.");
        }

        return options with
        {
            MaxBackgroundInFlight = Read("MaxBackgroundInFlight", options.MaxBackgroundInFlight),
            MaxBackgroundInFlightWhileForeground = Read(
                "MaxBackgroundInFlightWhileForeground",
                emulator ? Math.Min(EmulatorBackgroundInFlightWhileForeground, options.MaxBackgroundInFlightWhileForeground) : options.MaxBackgroundInFlightWhileForeground),
        };
    }
}
