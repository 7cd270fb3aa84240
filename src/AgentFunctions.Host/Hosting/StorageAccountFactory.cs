using AgentFunctions.Host.Configuration;
using AgentFunctions.Storage;
using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Host.Hosting;

/// <summary>
/// The storage account behind <c>AzureWebJobsStorage</c>, read as the Functions host reads it: a connection
/// string (default <c>UseDevelopmentStorage=true</c>, i.e. Azurite), or an identity-based connection
/// (<c>AzureWebJobsStorage__accountName</c>, or explicit <c>__blobServiceUri</c>/<c>__queueServiceUri</c>/<c>__tableServiceUri</c>)
/// authenticated with <c>DefaultAzureCredential</c>.
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
        var section = configuration.GetSection(Key);
        var accountName = section["accountName"];
        var blob = section["blobServiceUri"];
        if (!string.IsNullOrWhiteSpace(accountName) || !string.IsNullOrWhiteSpace(blob))
        {
            Uri Endpoint(string service, string? explicitUri) =>
                Uri.TryCreate(explicitUri ?? $"https://{accountName}.{service}.core.windows.net", UriKind.Absolute, out var uri)
                    ? uri
                    : throw new HostConfigurationException($"{Key}:{service}ServiceUri", $"'{explicitUri}' is not an absolute URI.");
            return new StorageAccountClient(
                Endpoint("blob", blob), Endpoint("queue", section["queueServiceUri"]), Endpoint("table", section["tableServiceUri"]), new DefaultAzureCredential(), options);
        }

        var connectionString = configuration[Key];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = "UseDevelopmentStorage=true";
        }

        try
        {
            return new StorageAccountClient(StorageConnectionString.Parse(connectionString), options);
        }
        catch (FormatException ex)
        {
            throw new HostConfigurationException(Key, ex.Message);
        }
    }
}
