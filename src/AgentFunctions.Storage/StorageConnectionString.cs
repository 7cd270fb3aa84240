using System.Diagnostics.CodeAnalysis;

namespace AgentFunctions.Storage;

/// <summary>
/// A parsed Azure Storage connection string: the account, its credentials and the blob, queue and table endpoints.
/// </summary>
/// <remarks>
/// Accepts the keys Azure documents: <c>UseDevelopmentStorage</c> (with optional <c>DevelopmentStorageProxyUri</c>),
/// <c>DefaultEndpointsProtocol</c>, <c>AccountName</c>, <c>AccountKey</c>, <c>EndpointSuffix</c>,
/// <c>BlobEndpoint</c>, <c>QueueEndpoint</c>, <c>TableEndpoint</c> and <c>SharedAccessSignature</c>. Keys are
/// case-insensitive. Error messages name the offending part but never echo a key or a signature, and
/// <see cref="ToString"/> redacts both.
/// </remarks>
public sealed class StorageConnectionString
{
    /// <summary>The account name of the local emulator (Azurite).</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>The well-known, public account key of the local emulator (Azurite).</summary>
    public const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly string[] _knownKeys =
    [
        "UseDevelopmentStorage", "DevelopmentStorageProxyUri", "DefaultEndpointsProtocol", "AccountName",
        "AccountKey", "EndpointSuffix", "BlobEndpoint", "QueueEndpoint", "TableEndpoint", "SharedAccessSignature",
    ];

    private StorageConnectionString(
        string? accountName, byte[]? accountKey, string? sharedAccessSignature, Uri blob, Uri queue, Uri table,
        bool isDevelopmentStorage)
    {
        AccountName = accountName;
        AccountKey = accountKey;
        SharedAccessSignature = sharedAccessSignature;
        BlobEndpoint = blob;
        QueueEndpoint = queue;
        TableEndpoint = table;
        IsDevelopmentStorage = isDevelopmentStorage;
    }

    /// <summary>The storage account name, when the string names one (always set for development storage).</summary>
    public string? AccountName { get; }

    /// <summary>The decoded account key; null when the string carries none.</summary>
    internal byte[]? AccountKey { get; }

    /// <summary>True when the string carries an account key (SharedKey authorization).</summary>
    public bool HasAccountKey => AccountKey is not null;

    /// <summary>The SAS token (without a leading '?'), when the string carries one.</summary>
    public string? SharedAccessSignature { get; }

    /// <summary>The blob service endpoint, e.g. <c>http://127.0.0.1:10000/devstoreaccount1</c>.</summary>
    public Uri BlobEndpoint { get; }

    /// <summary>The queue service endpoint.</summary>
    public Uri QueueEndpoint { get; }

    /// <summary>The table service endpoint.</summary>
    public Uri TableEndpoint { get; }

    /// <summary>True for <c>UseDevelopmentStorage=true</c>.</summary>
    public bool IsDevelopmentStorage { get; }

    /// <summary>Parses a connection string.</summary>
    /// <param name="connectionString">The connection string.</param>
    /// <returns>The parsed connection string.</returns>
    /// <exception cref="FormatException">The string is malformed; the message names the part that is wrong.</exception>
    public static StorageConnectionString Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        return TryParseCore(connectionString, out var result, out var error)
            ? result
            : throw new FormatException($"Invalid storage connection string: {error}.");
    }

    /// <summary>Tries to parse a connection string.</summary>
    /// <param name="connectionString">The connection string.</param>
    /// <param name="result">The parsed connection string when this returns true.</param>
    /// <returns>True when the string is well formed.</returns>
    public static bool TryParse(string? connectionString, [NotNullWhen(true)] out StorageConnectionString? result)
    {
        if (connectionString is not null && TryParseCore(connectionString, out var parsed, out _))
        {
            result = parsed;
            return true;
        }

        result = null;
        return false;
    }

    /// <summary>The connection string with the account key and SAS signature redacted.</summary>
    /// <returns>A string safe to log.</returns>
    public override string ToString() =>
        $"AccountName={AccountName};AccountKey={(HasAccountKey ? "<redacted>" : "<none>")};"
        + $"SharedAccessSignature={(SharedAccessSignature is null ? "<none>" : "<redacted>")};"
        + $"BlobEndpoint={BlobEndpoint};QueueEndpoint={QueueEndpoint};TableEndpoint={TableEndpoint}";

    private static bool TryParseCore(
        string text, [NotNullWhen(true)] out StorageConnectionString? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var rawPart in text.Split(';'))
        {
            var part = rawPart.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                // Echo only what precedes '=' (nothing, here): the part could be a pasted key.
                error = equals == 0 ? "a part has an empty key" : "a part is not of the form Key=Value";
                return false;
            }

            var key = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            var known = Array.Find(_knownKeys, k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                error = $"unknown key '{key}'";
                return false;
            }

            if (!values.TryAdd(known, value))
            {
                error = $"{known} appears more than once";
                return false;
            }
        }

        if (values.Count == 0)
        {
            error = "it is empty";
            return false;
        }

        return values.ContainsKey("UseDevelopmentStorage")
            ? TryParseDevelopment(values, out result, out error)
            : TryParseAccount(values, out result, out error);
    }

    private static bool TryParseDevelopment(
        Dictionary<string, string> values, [NotNullWhen(true)] out StorageConnectionString? result,
        [NotNullWhen(false)] out string? error)
    {
        result = null;
        if (!string.Equals(values["UseDevelopmentStorage"], "true", StringComparison.OrdinalIgnoreCase))
        {
            error = "UseDevelopmentStorage must be 'true' when present";
            return false;
        }

        var extra = values.Keys.FirstOrDefault(k => k is not ("UseDevelopmentStorage" or "DevelopmentStorageProxyUri"));
        if (extra is not null)
        {
            error = $"{extra} cannot be combined with UseDevelopmentStorage=true";
            return false;
        }

        var scheme = "http";
        var host = "127.0.0.1";
        if (values.TryGetValue("DevelopmentStorageProxyUri", out var proxyText))
        {
            if (!TryHttpUri(proxyText, out var proxy))
            {
                error = "DevelopmentStorageProxyUri is not an absolute http(s) URI";
                return false;
            }

            scheme = proxy.Scheme;
            host = proxy.Host;
        }

        Uri Endpoint(int port) => new($"{scheme}://{host}:{port}/{DevelopmentAccountName}");
        result = new StorageConnectionString(
            DevelopmentAccountName, Convert.FromBase64String(DevelopmentAccountKey), null,
            Endpoint(10000), Endpoint(10001), Endpoint(10002), isDevelopmentStorage: true);
        error = null;
        return true;
    }

    private static bool TryParseAccount(
        Dictionary<string, string> values, [NotNullWhen(true)] out StorageConnectionString? result,
        [NotNullWhen(false)] out string? error)
    {
        result = null;
        if (values.ContainsKey("DevelopmentStorageProxyUri"))
        {
            error = "DevelopmentStorageProxyUri is only valid with UseDevelopmentStorage=true";
            return false;
        }

        var accountName = values.GetValueOrDefault("AccountName");
        if (accountName is not null && accountName.Length == 0)
        {
            error = "AccountName is empty";
            return false;
        }

        byte[]? key = null;
        if (values.TryGetValue("AccountKey", out var keyText))
        {
            var buffer = new byte[keyText.Length];
            if (keyText.Length == 0 || !Convert.TryFromBase64String(keyText, buffer, out var written))
            {
                error = "AccountKey is not valid base64";
                return false;
            }

            key = buffer[..written];
            if (accountName is null)
            {
                error = "AccountKey requires AccountName";
                return false;
            }
        }

        var sas = values.GetValueOrDefault("SharedAccessSignature")?.TrimStart('?');
        if (sas is not null && sas.Length == 0)
        {
            error = "SharedAccessSignature is empty";
            return false;
        }

        if (key is not null && sas is not null)
        {
            error = "AccountKey and SharedAccessSignature cannot both be given";
            return false;
        }

        var protocol = values.GetValueOrDefault("DefaultEndpointsProtocol") ?? "https";
        if (protocol is not ("http" or "https"))
        {
            error = "DefaultEndpointsProtocol must be 'http' or 'https'";
            return false;
        }

        var suffix = values.GetValueOrDefault("EndpointSuffix") ?? "core.windows.net";
        if (suffix.Length == 0 || Uri.CheckHostName(suffix) == UriHostNameType.Unknown)
        {
            error = "EndpointSuffix is not a valid host name suffix";
            return false;
        }

        Uri? blob = null, queue = null, table = null;
        foreach (var (name, service) in new[] { ("BlobEndpoint", "blob"), ("QueueEndpoint", "queue"), ("TableEndpoint", "table") })
        {
            Uri endpoint;
            if (values.TryGetValue(name, out var endpointText))
            {
                if (!TryHttpUri(endpointText, out var explicitEndpoint))
                {
                    error = $"{name} is not an absolute URI";
                    return false;
                }

                endpoint = explicitEndpoint;
            }
            else if (accountName is not null)
            {
                endpoint = new Uri($"{protocol}://{accountName}.{service}.{suffix}");
            }
            else
            {
                error = $"{name} is missing and there is no AccountName to derive it from";
                return false;
            }

            switch (service)
            {
                case "blob": blob = endpoint; break;
                case "queue": queue = endpoint; break;
                default: table = endpoint; break;
            }
        }

        result = new StorageConnectionString(accountName, key, sas, blob!, queue!, table!, isDevelopmentStorage: false);
        error = null;
        return true;
    }

    private static bool TryHttpUri(string text, [NotNullWhen(true)] out Uri? uri) =>
        Uri.TryCreate(text.TrimEnd('/'), UriKind.Absolute, out uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
