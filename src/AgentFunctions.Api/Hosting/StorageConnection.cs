using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using AgentFunctions.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Host.Hosting;

/// <summary>
/// The storage account behind <c>AzureWebJobsStorage</c>, resolved as the Functions host accepts it, in one of two forms:
/// <list type="bullet">
/// <item>a connection string (absent: <c>UseDevelopmentStorage=true</c>, Azurite on its default ports), including
/// explicit <c>BlobEndpoint</c>/<c>QueueEndpoint</c>/<c>TableEndpoint</c> ones;</item>
/// <item>identity-based: <c>AzureWebJobsStorage__accountName</c>, and/or <c>__blobServiceUri</c>,
/// <c>__queueServiceUri</c>, <c>__tableServiceUri</c> (without an account name all three, since the host uses all
/// three services), authenticated by <c>DefaultAzureCredential</c>, or by <c>ManagedIdentityCredential</c> when
/// <c>__credential</c> is <c>managedidentity</c>; <c>__clientId</c> picks a user-assigned identity.</item>
/// </list>
/// Both forms stay available (<see cref="ConnectionString"/>, or the service URIs with <see cref="Credential"/>)
/// for clients that take one or the other, and the factory methods build the Azure SDK clients from either.
/// </summary>
public sealed class StorageConnection
{
    /// <summary>The configuration key (environment: <c>AzureWebJobsStorage</c>, <c>AzureWebJobsStorage__accountName</c>, ...).</summary>
    public const string Key = "AzureWebJobsStorage";

    /// <summary>The connection string used when none is set: the local emulator.</summary>
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    /// <summary>The account name of the local emulator.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    private const string CredentialKey = Key + "__credential";
    private const string ClientIdKey = Key + "__clientId";
    private const string AccountNameKey = Key + "__accountName";

    private static readonly string[] _identityKeys = ["accountName", "blobServiceUri", "queueServiceUri", "tableServiceUri", "credential", "clientId"];

    private StorageConnection(string? connectionString, string accountName, Uri blob, Uri queue, Uri table, TokenCredential? credential, string description)
    {
        ConnectionString = connectionString;
        AccountName = accountName;
        BlobServiceUri = blob;
        QueueServiceUri = queue;
        TableServiceUri = table;
        Credential = credential;
        Description = description;
    }

    /// <summary>The connection string; null for an identity-based connection.</summary>
    public string? ConnectionString { get; }

    /// <summary>The storage account's name (<c>devstoreaccount1</c> for the emulator).</summary>
    public string AccountName { get; }

    /// <summary>The blob service endpoint.</summary>
    public Uri BlobServiceUri { get; }

    /// <summary>The queue service endpoint.</summary>
    public Uri QueueServiceUri { get; }

    /// <summary>The table service endpoint.</summary>
    public Uri TableServiceUri { get; }

    /// <summary>The Entra ID credential of an identity-based connection; null with a connection string.</summary>
    public TokenCredential? Credential { get; }

    /// <summary>Whether the connection authenticates with <see cref="Credential"/> rather than a connection string.</summary>
    public bool IsIdentityBased => Credential is not null;

    /// <summary>Whether this is the local emulator (Azurite), by its well-known account name.</summary>
    public bool IsDevelopmentStorage => AccountName == DevelopmentAccountName;

    /// <summary>What the connection is, for the startup log: never a secret.</summary>
    public string Description { get; }

    /// <summary>Reads <c>AzureWebJobsStorage</c> and its identity-based sub-keys from <paramref name="configuration"/>.</summary>
    /// <exception cref="HostConfigurationException">The value is malformed, or both forms are set; the message names the key.</exception>
    public static StorageConnection Resolve(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Key);
        var connectionString = string.IsNullOrWhiteSpace(section.Value) ? null : section.Value.Trim();
        var identityKeysSet = _identityKeys.Where(k => !string.IsNullOrWhiteSpace(section[k])).ToList();
        if (connectionString is not null && identityKeysSet.Count > 0)
        {
            // Functions would silently take one of them; a developer who added __accountName beside the
            // connection string of local.settings.json would then not be where they think.
            throw new HostConfigurationException(
                Key, $"it is a connection string, and {string.Join(", ", identityKeysSet.Select(k => $"{Key}__{k}"))} is set too; set one form only.");
        }

        return identityKeysSet.Count > 0 ? FromIdentity(section) : FromConnectionString(connectionString ?? DevelopmentStorage);
    }

    /// <summary>A Tables client for the account.</summary>
    /// <param name="options">Client options (retries, timeouts); null for the SDK's defaults.</param>
    public TableServiceClient CreateTableServiceClient(TableClientOptions? options = null) =>
        Credential is null
            ? new TableServiceClient(ConnectionString, options ?? new TableClientOptions())
            : new TableServiceClient(TableServiceUri, Credential, options ?? new TableClientOptions());

    /// <summary>A Queues client for the account that encodes message bodies as <paramref name="encoding"/>.</summary>
    /// <param name="encoding">How message bodies are encoded on the wire (Functions' default is base64).</param>
    /// <param name="options">Client options (retries, timeouts); null for the SDK's defaults. Its encoding is replaced.</param>
    public QueueServiceClient CreateQueueServiceClient(Azure.Storage.Queues.QueueMessageEncoding encoding, QueueClientOptions? options = null)
    {
        options ??= new QueueClientOptions();
        options.MessageEncoding = encoding;
        return Credential is null
            ? new QueueServiceClient(ConnectionString, options)
            : new QueueServiceClient(QueueServiceUri, Credential, options);
    }

    /// <summary>A Blobs client for the account.</summary>
    /// <param name="options">Client options (retries, timeouts); null for the SDK's defaults.</param>
    public BlobServiceClient CreateBlobServiceClient(BlobClientOptions? options = null) =>
        Credential is null
            ? new BlobServiceClient(ConnectionString, options ?? new BlobClientOptions())
            : new BlobServiceClient(BlobServiceUri, Credential, options ?? new BlobClientOptions());

    private static StorageConnection FromConnectionString(string connectionString)
    {
        CheckParts(connectionString);
        try
        {
            // Building the clients parses the string the way every request will; no request is sent.
            var blob = new BlobServiceClient(connectionString);
            var queue = new QueueServiceClient(connectionString);
            var table = new TableServiceClient(connectionString);
            var name = blob.AccountName;
            var where = name == DevelopmentAccountName ? "the local emulator (Azurite)" : $"account '{name}'";
            return new StorageConnection(connectionString, name, blob.Uri, queue.Uri, table.Uri, credential: null, $"connection string, {where} at {queue.Uri.GetLeftPart(UriPartial.Authority)}");
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // The SDK's messages name keywords, not values, so no secret is repeated here.
            throw new HostConfigurationException(Key, $"not a storage connection string the Azure SDK accepts: {ex.Message}");
        }
    }

    /// <summary>
    /// The SDK reports most mistakes as "No valid combination of account information found"; checking each part
    /// first names the one that is wrong. Values are never echoed: an account key is a secret.
    /// </summary>
    private static void CheckParts(string connectionString)
    {
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new HostConfigurationException(Key, "every part of a connection string is Name=value, separated by ';'.");
            }

            var name = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            switch (name.ToUpperInvariant())
            {
                case "ACCOUNTKEY" when !IsBase64(value):
                    throw new HostConfigurationException(Key, "its AccountKey is not base64 (copy the key again from the storage account's access keys).");
                case "DEFAULTENDPOINTSPROTOCOL" when !value.Equals("https", StringComparison.OrdinalIgnoreCase) && !value.Equals("http", StringComparison.OrdinalIgnoreCase):
                    throw new HostConfigurationException(Key, "its DefaultEndpointsProtocol is neither https nor http.");
                case "BLOBENDPOINT" or "QUEUEENDPOINT" or "TABLEENDPOINT" when !IsHttpUri(value):
                    throw new HostConfigurationException(Key, $"its {name} is not an absolute http(s) URL.");
                case "USEDEVELOPMENTSTORAGE" when !value.Equals("true", StringComparison.OrdinalIgnoreCase):
                    throw new HostConfigurationException(Key, "UseDevelopmentStorage can only be true; leave AzureWebJobsStorage unset or give a connection string instead.");
                default:
                    break;
            }
        }
    }

    private static StorageConnection FromIdentity(IConfigurationSection section)
    {
        var accountName = section["accountName"]?.Trim();
        if (accountName is { Length: > 0 } && (accountName.Length is < 3 or > 24 || !accountName.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c))))
        {
            throw new HostConfigurationException(AccountNameKey, $"'{accountName}' is not a storage account name (3 to 24 lowercase letters and digits).");
        }

        Uri ServiceUri(string service)
        {
            var key = $"{Key}__{service}ServiceUri";
            var text = section[$"{service}ServiceUri"]?.Trim();
            if (string.IsNullOrEmpty(text))
            {
                return string.IsNullOrEmpty(accountName)
                    ? throw new HostConfigurationException(
                        key, $"is required when {AccountNameKey} is not set: the host uses the blob, queue and table services, so give all three service URIs, or the account name alone.")
                    : new Uri($"https://{accountName}.{service}.core.windows.net/");
            }

            // Azure.Core refuses to send a bearer token over plain http, so that would only fail at the first request.
            return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps
                ? uri
                : throw new HostConfigurationException(key, $"'{text}' is not an absolute https URL (identity-based connections need https).");
        }

        var blob = ServiceUri("blob");
        var queue = ServiceUri("queue");
        var table = ServiceUri("table");
        var (credential, credentialName) = CreateCredential(section);
        var name = string.IsNullOrEmpty(accountName) ? blob.Host.Split('.')[0] : accountName;
        return new StorageConnection(null, name, blob, queue, table, credential, $"identity-based ({credentialName}), account '{name}'");
    }

    private static (TokenCredential Credential, string Name) CreateCredential(IConfigurationSection section)
    {
        var clientId = section["clientId"]?.Trim();
        if (!string.IsNullOrEmpty(clientId) && !Guid.TryParse(clientId, out _))
        {
            throw new HostConfigurationException(ClientIdKey, $"'{clientId}' is not a client id (a GUID: the managed identity's client id).");
        }

        var kind = section["credential"]?.Trim();
        if (string.IsNullOrEmpty(kind))
        {
            var options = new DefaultAzureCredentialOptions();
            if (!string.IsNullOrEmpty(clientId))
            {
                options.ManagedIdentityClientId = clientId;
            }

            return (new DefaultAzureCredential(options), string.IsNullOrEmpty(clientId) ? "DefaultAzureCredential" : $"DefaultAzureCredential, managed identity {clientId}");
        }

        if (kind.Equals("managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            return string.IsNullOrEmpty(clientId)
                ? (new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned), "system-assigned managed identity")
                : (new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId)), $"user-assigned managed identity {clientId}");
        }

        throw new HostConfigurationException(CredentialKey, $"'{kind}' is not supported; use managedidentity, or leave it unset for DefaultAzureCredential.");
    }

    private static bool IsBase64(string value)
    {
        var buffer = new byte[value.Length];
        return value.Length > 0 && Convert.TryFromBase64String(value, buffer, out _);
    }

    private static bool IsHttpUri(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
