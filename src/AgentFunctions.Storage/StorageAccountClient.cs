using AgentFunctions.Storage.Blobs;
using AgentFunctions.Storage.Internal;
using AgentFunctions.Storage.Queues;
using AgentFunctions.Storage.Tables;
using Azure.Core;

namespace AgentFunctions.Storage;

/// <summary>
/// The entry point for one storage account: owns the pooled HTTP connections, the credentials and the retry
/// policy shared by every queue, container and table client it hands out. Create one per account and keep it
/// for the life of the process; clients are cheap and thread-safe.
/// </summary>
public sealed class StorageAccountClient : IDisposable
{
    private readonly StoragePipeline _pipeline;

    /// <summary>Creates a client from a connection string (SharedKey, SAS or development storage).</summary>
    /// <param name="connectionString">The connection string, e.g. <c>UseDevelopmentStorage=true</c>.</param>
    /// <param name="options">Retry, concurrency and encoding options; null for defaults.</param>
    /// <exception cref="FormatException">The connection string is malformed.</exception>
    public StorageAccountClient(string connectionString, StorageClientOptions? options = null)
        : this(StorageConnectionString.Parse(connectionString), options)
    {
    }

    /// <summary>Creates a client from a parsed connection string.</summary>
    /// <param name="connectionString">The parsed connection string.</param>
    /// <param name="options">Retry, concurrency and encoding options; null for defaults.</param>
    public StorageAccountClient(StorageConnectionString connectionString, StorageClientOptions? options = null)
        : this(connectionString, options, TimeProvider.System, handler: null)
    {
    }

    /// <summary>
    /// Creates a client that authenticates with Entra ID (for example <c>DefaultAzureCredential</c> from
    /// Azure.Identity), requesting tokens for <c>https://storage.azure.com/.default</c>.
    /// </summary>
    /// <param name="blobEndpoint">The blob endpoint, e.g. <c>https://acct.blob.core.windows.net</c>.</param>
    /// <param name="queueEndpoint">The queue endpoint.</param>
    /// <param name="tableEndpoint">The table endpoint.</param>
    /// <param name="credential">The token credential.</param>
    /// <param name="options">Retry, concurrency and encoding options; null for defaults.</param>
    public StorageAccountClient(Uri blobEndpoint, Uri queueEndpoint, Uri tableEndpoint, TokenCredential credential, StorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(blobEndpoint);
        ArgumentNullException.ThrowIfNull(queueEndpoint);
        ArgumentNullException.ThrowIfNull(tableEndpoint);
        ArgumentNullException.ThrowIfNull(credential);
        BlobEndpoint = blobEndpoint;
        QueueEndpoint = queueEndpoint;
        TableEndpoint = tableEndpoint;
        Options = options ?? StorageClientOptions.Default;
        _pipeline = new StoragePipeline(new TokenCredentialAuthorizer(credential, TimeProvider.System), Options, TimeProvider.System);
    }

    internal StorageAccountClient(StorageConnectionString connectionString, StorageClientOptions? options, TimeProvider timeProvider, HttpMessageHandler? handler)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        BlobEndpoint = connectionString.BlobEndpoint;
        QueueEndpoint = connectionString.QueueEndpoint;
        TableEndpoint = connectionString.TableEndpoint;
        AccountName = connectionString.AccountName;
        Options = options ?? StorageClientOptions.Default;
        IRequestAuthorizer authorizer = connectionString switch
        {
            { AccountKey: { } key, AccountName: { } name } => new SharedKeyAuthorizer(name, key),
            { SharedAccessSignature: { } sas } => new SasAuthorizer(sas),
            _ => AnonymousAuthorizer.Instance,
        };
        _pipeline = new StoragePipeline(authorizer, Options, timeProvider, handler);
    }

    /// <summary>The account name, when known from the connection string.</summary>
    public string? AccountName { get; }

    /// <summary>The blob service endpoint.</summary>
    public Uri BlobEndpoint { get; }

    /// <summary>The queue service endpoint.</summary>
    public Uri QueueEndpoint { get; }

    /// <summary>The table service endpoint.</summary>
    public Uri TableEndpoint { get; }

    /// <summary>The options every client of this account uses.</summary>
    public StorageClientOptions Options { get; }

    /// <summary>A client for one queue; the name is validated here, before any request.</summary>
    /// <param name="queueName">The queue name (3-63 lowercase letters, digits, single hyphens).</param>
    /// <returns>The queue client.</returns>
    /// <exception cref="ArgumentException">The name breaks Azure's queue naming rule.</exception>
    public QueueClient GetQueueClient(string queueName) => new(_pipeline, QueueEndpoint, queueName, Options.MessageEncoding);

    /// <summary>A client for one blob container; the name is validated here, before any request.</summary>
    /// <param name="containerName">The container name (3-63 lowercase letters, digits, single hyphens).</param>
    /// <returns>The container client.</returns>
    /// <exception cref="ArgumentException">The name breaks Azure's container naming rule.</exception>
    public BlobContainerClient GetBlobContainerClient(string containerName) => new(_pipeline, BlobEndpoint, containerName);

    /// <summary>A client for one table; the name is validated here, before any request.</summary>
    /// <param name="tableName">The table name (^[A-Za-z][A-Za-z0-9]{2,62}$).</param>
    /// <returns>The table client.</returns>
    /// <exception cref="ArgumentException">The name breaks Azure's table naming rule.</exception>
    public TableClient GetTableClient(string tableName) => new(_pipeline, TableEndpoint, tableName);

    /// <summary>Storage requests this client has sent (a retried request counts once): for diagnostics and benchmarks.</summary>
    public long RequestsSent => _pipeline.RequestsSent;

    /// <summary>Storage requests sent so far by kind ("Queue POST messages", "Table POST $batch", ...), for diagnostics and benchmarks.</summary>
    public IReadOnlyDictionary<string, long> RequestsByKind => _pipeline.RequestsByKind;

    /// <summary>Closes the pooled connections. Clients handed out stop working.</summary>
    public void Dispose() => _pipeline.Dispose();
}
