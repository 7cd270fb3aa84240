using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AgentFunctions.Storage.Internal;

namespace AgentFunctions.Storage.Tables;

/// <summary>
/// One table: entity CRUD with ETag concurrency, paged queries and atomic entity-group transactions.
/// Thread-safe; get it from <see cref="StorageAccountClient.GetTableClient"/>.
/// </summary>
/// <remarks>
/// Azure limits: an entity at most 1 MiB and 252 custom properties; a string property at most 64 KiB (32 K
/// UTF-16 characters, checked before sending); a query page at most 1,000 entities; a transaction at most
/// 100 actions on one partition, each entity at most once, 4 MiB in total.
/// </remarks>
public sealed class TableClient
{
    /// <summary>The most actions one transaction may hold.</summary>
    public const int MaxTransactionActions = 100;

    private const string JsonNoMetadata = "application/json";
    private const string AcceptMinimalMetadata = "application/json;odata=minimalmetadata";
    private static readonly HttpMethod _merge = new("MERGE");

    private readonly StoragePipeline _pipeline;
    private readonly Uri _endpoint;

    internal TableClient(StoragePipeline pipeline, Uri endpoint, string name)
    {
        StorageNames.ValidateTableName(name);
        _pipeline = pipeline;
        _endpoint = endpoint;
        Name = name;
        Uri = StorageUri.Combine(endpoint, name);
    }

    /// <summary>The table name.</summary>
    public string Name { get; }

    /// <summary>The table URI.</summary>
    public Uri Uri { get; }

    private string Resource => $"table '{Name}'";

    /// <summary>Creates the table unless it exists.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True when this call created it.</returns>
    public async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["TableName"] = Name });
        var request = Request(HttpMethod.Post, StorageUri.Combine(_endpoint, "Tables"), body).WithHeader("Prefer", "return-no-content");
        var response = await _pipeline.SendRawAsync(request, cancellationToken);
        if (response.Status == 409 && ErrorCode(response) == "TableAlreadyExists")
        {
            return false;
        }

        StoragePipeline.ThrowIfFailed(request, response);
        return true;
    }

    /// <summary>Deletes the table and its entities.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task.</returns>
    /// <exception cref="StorageRequestFailedException">404 ResourceNotFound when it does not exist.</exception>
    public Task DeleteAsync(CancellationToken cancellationToken = default) =>
        _pipeline.SendAsync(Request(HttpMethod.Delete, StorageUri.Combine(_endpoint, $"Tables('{Name}')")), cancellationToken);

    /// <summary>Deletes the table if it exists.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True when it existed.</returns>
    public async Task<bool> DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        var request = Request(HttpMethod.Delete, StorageUri.Combine(_endpoint, $"Tables('{Name}')"));
        var response = await _pipeline.SendRawAsync(request, cancellationToken);
        if (response.Status == 404)
        {
            return false;
        }

        StoragePipeline.ThrowIfFailed(request, response);
        return true;
    }

    /// <summary>Inserts a new entity.</summary>
    /// <param name="entity">The entity.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The new ETag.</returns>
    /// <exception cref="StorageRequestFailedException">409 EntityAlreadyExists when it exists.</exception>
    public async Task<string> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var request = Request(HttpMethod.Post, Uri, TableEntityJson.Serialize(entity)).WithHeader("Prefer", "return-no-content");
        return RequiredETag(await _pipeline.SendAsync(request, cancellationToken));
    }

    /// <summary>Inserts the entity, or merges/replaces it when it exists (no concurrency check).</summary>
    /// <param name="entity">The entity.</param>
    /// <param name="mode">Merge keeps properties the entity lacks; Replace drops them.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The new ETag.</returns>
    public async Task<string> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var request = Request(mode == TableUpdateMode.Merge ? _merge : HttpMethod.Put, EntityUri(entity.PartitionKey, entity.RowKey), TableEntityJson.Serialize(entity));
        return RequiredETag(await _pipeline.SendAsync(request, cancellationToken));
    }

    /// <summary>Updates an existing entity if its ETag still matches.</summary>
    /// <param name="entity">The entity.</param>
    /// <param name="ifMatch">The ETag the entity must still have, or "*" for any.</param>
    /// <param name="mode">Merge keeps properties the entity lacks; Replace drops them.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The new ETag.</returns>
    /// <exception cref="StorageRequestFailedException">412 UpdateConditionNotSatisfied on an ETag mismatch; 404 when absent.</exception>
    public async Task<string> UpdateEntityAsync(TableEntity entity, string ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentException.ThrowIfNullOrEmpty(ifMatch);
        var request = Request(mode == TableUpdateMode.Merge ? _merge : HttpMethod.Put, EntityUri(entity.PartitionKey, entity.RowKey), TableEntityJson.Serialize(entity))
            .WithHeader("If-Match", ifMatch);
        return RequiredETag(await _pipeline.SendAsync(request, cancellationToken));
    }

    /// <summary>Deletes an entity if its ETag still matches.</summary>
    /// <param name="partitionKey">The partition key.</param>
    /// <param name="rowKey">The row key.</param>
    /// <param name="ifMatch">The ETag the entity must still have; "*" (default) for any.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task.</returns>
    /// <exception cref="StorageRequestFailedException">404 ResourceNotFound when absent; 412 on an ETag mismatch.</exception>
    public Task DeleteEntityAsync(string partitionKey, string rowKey, string ifMatch = "*", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(ifMatch);
        return _pipeline.SendAsync(Request(HttpMethod.Delete, EntityUri(partitionKey, rowKey)).WithHeader("If-Match", ifMatch), cancellationToken);
    }

    /// <summary>Reads one entity.</summary>
    /// <param name="partitionKey">The partition key.</param>
    /// <param name="rowKey">The row key.</param>
    /// <param name="select">Only these properties; null for all.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The entity with its ETag, or null when it (or the table) does not exist.</returns>
    public async Task<TableEntity?> GetEntityIfExistsAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        var uri = EntityUri(partitionKey, rowKey, ("$select", SelectList(select)));
        var request = Request(HttpMethod.Get, uri);
        var response = await _pipeline.SendRawAsync(request, cancellationToken);
        if (response.Status == 404)
        {
            return null;
        }

        StoragePipeline.ThrowIfFailed(request, response);
        using var json = JsonDocument.Parse(response.Body);
        return TableEntityJson.Deserialize(json.RootElement, response.ETag);
    }

    /// <summary>Runs one page of a query.</summary>
    /// <param name="filter">An OData filter (build it with <see cref="TableFilter"/>), or null for all.</param>
    /// <param name="select">Only these properties; null for all.</param>
    /// <param name="pageSize">At most this many entities on the page (1-1000; default 1000).</param>
    /// <param name="continuationToken">The previous page's token, or null for the first page.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The page and the token for the next one.</returns>
    public async Task<TablePage> QueryPageAsync(
        string? filter = null, IEnumerable<string>? select = null, int pageSize = 1000, TableContinuationToken? continuationToken = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 1000);
        var uri = StorageUri.Combine(
            _endpoint, Name + "()",
            ("$filter", string.IsNullOrWhiteSpace(filter) ? null : filter),
            ("$select", SelectList(select)),
            ("$top", pageSize.ToString(CultureInfo.InvariantCulture)),
            ("NextPartitionKey", continuationToken?.NextPartitionKey),
            ("NextRowKey", continuationToken?.NextRowKey));
        var response = await _pipeline.SendAsync(Request(HttpMethod.Get, uri), cancellationToken);
        using var json = JsonDocument.Parse(response.Body);
        var entities = json.RootElement.TryGetProperty("value", out var value)
            ? value.EnumerateArray().Select(e => TableEntityJson.Deserialize(e)).ToList()
            : [];
        var nextPartition = response.Header("x-ms-continuation-NextPartitionKey");
        var next = string.IsNullOrEmpty(nextPartition)
            ? null
            : new TableContinuationToken(nextPartition, response.Header("x-ms-continuation-NextRowKey"));
        return new TablePage(entities, next);
    }

    /// <summary>Runs a query over all its pages.</summary>
    /// <param name="filter">An OData filter, or null for all.</param>
    /// <param name="select">Only these properties; null for all.</param>
    /// <param name="pageSize">Entities per request (1-1000).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>Every matching entity, in key order.</returns>
    public async IAsyncEnumerable<TableEntity> QueryAsync(
        string? filter = null, IEnumerable<string>? select = null, int pageSize = 1000, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var selectList = select?.ToList();
        TableContinuationToken? token = null;
        do
        {
            var page = await QueryPageAsync(filter, selectList, pageSize, token, cancellationToken);
            foreach (var entity in page.Entities)
            {
                yield return entity;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    /// <summary>
    /// Commits up to 100 actions on one partition atomically: all of them or none. When one fails, none is
    /// applied and the exception's <see cref="StorageRequestFailedException.FailedActionIndex"/> names it.
    /// </summary>
    /// <param name="actions">The actions, all with the same PartitionKey, each entity at most once.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>One result per action, in order.</returns>
    /// <exception cref="ArgumentException">Empty, over 100 actions, mixed partitions or a repeated entity; no request is sent.</exception>
    /// <exception cref="StorageRequestFailedException">An action failed; nothing was applied.</exception>
    public async Task<IReadOnlyList<TableTransactionResult>> SubmitTransactionAsync(
        IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        ValidateTransaction(actions);
        var batch = new TableBatchBody(actions, Uri, (pk, rk) => EntityUri(pk, rk));
        var request = new StorageRequest(StorageService.Table, HttpMethod.Post, StorageUri.Combine(_endpoint, "$batch"), $"transaction on {Resource}")
        {
            Content = batch.Content,
            ContentType = batch.ContentType,
        }
        .WithHeader("Accept", AcceptMinimalMetadata)
        .WithHeader("DataServiceVersion", "3.0")
        .WithHeader("MaxDataServiceVersion", "3.0;NetFx");
        var response = await _pipeline.SendAsync(request, cancellationToken);
        var parts = TableBatchBody.ParseResponse(response);
        var failed = parts.FirstOrDefault(p => p.Status >= 300);
        if (failed is not null)
        {
            var inner = new StorageResponse(failed.Status, failed.Headers, failed.Body);
            var index = TableBatchBody.FailedIndex(failed, actions.Count);
            var actionText = index is { } i ? $"action {i} ({actions[i].ActionType} of RowKey '{actions[i].Entity.RowKey}') in " : string.Empty;
            var described = new StorageRequest(StorageService.Table, HttpMethod.Post, request.Uri, $"{actionText}transaction on {Resource}");
            throw StoragePipeline.CreateException(described, inner, index);
        }

        if (parts.Count != actions.Count)
        {
            throw new InvalidDataException($"The transaction answered {parts.Count} results for {actions.Count} actions.");
        }

        return parts.Select(p => new TableTransactionResult(p.Status, p.ETag)).ToList();
    }

    internal Uri EntityUri(string partitionKey, string rowKey, params (string, string?)[] query)
    {
        StorageNames.ValidateTableKey(partitionKey, nameof(TableEntity.PartitionKey));
        StorageNames.ValidateTableKey(rowKey, nameof(TableEntity.RowKey));
        var path = $"{Name}(PartitionKey='{Uri.EscapeDataString(partitionKey.Replace("'", "''", StringComparison.Ordinal))}',"
            + $"RowKey='{Uri.EscapeDataString(rowKey.Replace("'", "''", StringComparison.Ordinal))}')";
        return StorageUri.Combine(_endpoint, path, query);
    }

    private static void ValidateTransaction(IReadOnlyList<TableTransactionAction> actions)
    {
        if (actions.Count is 0 or > MaxTransactionActions)
        {
            throw new ArgumentException($"A transaction holds 1 to {MaxTransactionActions} actions; this one has {actions.Count}.", nameof(actions));
        }

        var partition = actions[0].Entity.PartitionKey;
        var rows = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < actions.Count; i++)
        {
            var entity = actions[i].Entity ?? throw new ArgumentException($"Action {i} has no entity.", nameof(actions));
            if (!string.Equals(entity.PartitionKey, partition, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"All actions of a transaction must share one PartitionKey; action {i} has '{entity.PartitionKey}', action 0 has '{partition}'.",
                    nameof(actions));
            }

            if (!rows.Add(entity.RowKey))
            {
                throw new ArgumentException($"A transaction may touch each entity once; RowKey '{entity.RowKey}' repeats at action {i}.", nameof(actions));
            }
        }
    }

    private static string? SelectList(IEnumerable<string>? select) =>
        select is null ? null : string.Join(',', select);

    private static string? ErrorCode(StorageResponse response) =>
        response.Header("x-ms-error-code") ?? StoragePipeline.ParseError(response.Body).Code;

    private static string RequiredETag(StorageResponse response) =>
        response.ETag ?? throw new InvalidDataException("The table response has no ETag.");

    private StorageRequest Request(HttpMethod method, Uri uri, byte[]? body = null) =>
        new StorageRequest(StorageService.Table, method, uri, Resource)
        {
            Content = body,
            ContentType = body is null ? null : JsonNoMetadata,
        }
        .WithHeader("Accept", AcceptMinimalMetadata)
        .WithHeader("DataServiceVersion", "3.0")
        .WithHeader("MaxDataServiceVersion", "3.0;NetFx");
}
