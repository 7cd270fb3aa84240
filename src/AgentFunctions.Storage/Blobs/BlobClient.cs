using System.Globalization;
using System.Text;
using AgentFunctions.Storage.Internal;

namespace AgentFunctions.Storage.Blobs;

/// <summary>
/// One block blob: whole-content upload and download with ETag and lease conditions. Thread-safe; get it from
/// <see cref="BlobContainerClient.GetBlobClient"/>.
/// </summary>
/// <remarks>
/// Content is sent in a single Put Blob request and read whole into memory: meant for payloads of a few
/// megabytes (large orchestration inputs and outputs), not for bulk data.
/// </remarks>
public sealed class BlobClient
{
    private readonly StoragePipeline _pipeline;

    internal BlobClient(StoragePipeline pipeline, BlobContainerClient container, string name)
    {
        StorageNames.ValidateBlobName(name);
        _pipeline = pipeline;
        ContainerName = container.Name;
        Name = name;
        Uri = StorageUri.Combine(container.Uri, StorageUri.EscapeBlobName(name));
    }

    /// <summary>The container name.</summary>
    public string ContainerName { get; }

    /// <summary>The blob name.</summary>
    public string Name { get; }

    /// <summary>The blob URI.</summary>
    public Uri Uri { get; }

    private string Resource => $"blob '{ContainerName}/{Name}'";

    /// <summary>Uploads (creates or replaces) the blob.</summary>
    /// <param name="content">The content.</param>
    /// <param name="conditions">Preconditions, e.g. <see cref="BlobRequestConditions.IfNotExists"/> or an If-Match ETag.</param>
    /// <param name="contentType">The content type (default application/octet-stream).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The new ETag.</returns>
    /// <exception cref="StorageRequestFailedException">409 BlobAlreadyExists or 412 ConditionNotMet when a condition fails.</exception>
    public async Task<BlobContentInfo> UploadAsync(
        ReadOnlyMemory<byte> content, BlobRequestConditions? conditions = null, string? contentType = null, CancellationToken cancellationToken = default)
    {
        var request = Request(HttpMethod.Put, conditions, content, contentType ?? "application/octet-stream")
            .WithHeader("x-ms-blob-type", "BlockBlob");
        var response = await _pipeline.SendAsync(request, cancellationToken);
        return new BlobContentInfo(RequiredETag(response), response.LastModified ?? DateTimeOffset.UtcNow);
    }

    /// <summary>Uploads text as UTF-8.</summary>
    /// <param name="content">The text.</param>
    /// <param name="conditions">Preconditions.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The new ETag.</returns>
    public Task<BlobContentInfo> UploadAsync(string content, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return UploadAsync(Encoding.UTF8.GetBytes(content), conditions, "text/plain; charset=utf-8", cancellationToken);
    }

    /// <summary>Uploads the rest of a stream; it is read into memory first so that a retry can resend it.</summary>
    /// <param name="content">The stream.</param>
    /// <param name="conditions">Preconditions.</param>
    /// <param name="contentType">The content type.</param>
    /// <param name="cancellationToken">Cancels the read and the request.</param>
    /// <returns>The new ETag.</returns>
    public async Task<BlobContentInfo> UploadAsync(
        Stream content, BlobRequestConditions? conditions = null, string? contentType = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        return await UploadAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), conditions, contentType, cancellationToken);
    }

    /// <summary>Downloads the whole blob.</summary>
    /// <param name="conditions">Preconditions (If-Match, lease).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The content and its ETag.</returns>
    /// <exception cref="StorageRequestFailedException">404 BlobNotFound when it does not exist.</exception>
    public async Task<BlobDownloadResult> DownloadAsync(BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default) =>
        await DownloadIfExistsAsync(conditions, cancellationToken) is { } result
            ? result
            : throw new StorageRequestFailedException($"GET {Resource} failed with status 404 (BlobNotFound).", 404, "BlobNotFound");

    /// <summary>Downloads the whole blob, or returns null when it (or its container) does not exist.</summary>
    /// <param name="conditions">Preconditions (If-Match, lease).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The content, or null.</returns>
    public async Task<BlobDownloadResult?> DownloadIfExistsAsync(BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        var request = Request(HttpMethod.Get, conditions);
        var response = await _pipeline.SendRawAsync(request, cancellationToken);
        if (response.Status == 404)
        {
            return null;
        }

        StoragePipeline.ThrowIfFailed(request, response);
        return new BlobDownloadResult(BinaryData.FromBytes(response.Body), Properties(response));
    }

    /// <summary>Reads the blob's properties.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The properties, or null when the blob does not exist.</returns>
    public async Task<BlobProperties?> GetPropertiesAsync(CancellationToken cancellationToken = default)
    {
        var request = Request(HttpMethod.Head, conditions: null);
        var response = await _pipeline.SendRawAsync(request, cancellationToken);
        if (response.Status == 404)
        {
            return null;
        }

        StoragePipeline.ThrowIfFailed(request, response);
        return Properties(response);
    }

    /// <summary>Deletes the blob.</summary>
    /// <param name="conditions">Preconditions (If-Match, lease).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task.</returns>
    /// <exception cref="StorageRequestFailedException">404 BlobNotFound, 412 ConditionNotMet, or a lease error.</exception>
    public Task DeleteAsync(BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default) =>
        _pipeline.SendAsync(Request(HttpMethod.Delete, conditions), cancellationToken);

    /// <summary>Deletes the blob if it exists.</summary>
    /// <param name="conditions">Preconditions (If-Match, lease).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True when it existed and was deleted.</returns>
    public async Task<bool> DeleteIfExistsAsync(BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        var request = Request(HttpMethod.Delete, conditions);
        var response = await _pipeline.SendRawAsync(request, cancellationToken);
        if (response.Status == 404)
        {
            return false;
        }

        StoragePipeline.ThrowIfFailed(request, response);
        return true;
    }

    /// <summary>A client for leases on this blob.</summary>
    /// <param name="leaseId">The lease id to acquire or act on; null for a fresh random one.</param>
    /// <returns>The lease client.</returns>
    public BlobLeaseClient GetLeaseClient(string? leaseId = null) => new(_pipeline, this, leaseId ?? Guid.NewGuid().ToString());

    internal StorageRequest Request(HttpMethod method, BlobRequestConditions? conditions, ReadOnlyMemory<byte> content = default, string? contentType = null, string? comp = null) =>
        new StorageRequest(StorageService.Blob, method, comp is null ? Uri : StorageUri.Combine(Uri, string.Empty, ("comp", comp)), Resource)
            {
                Content = content,
                ContentType = contentType,
            }
            .WithHeader("If-Match", conditions?.IfMatch)
            .WithHeader("If-None-Match", conditions?.IfNoneMatch)
            .WithHeader("x-ms-lease-id", conditions?.LeaseId);

    private static string RequiredETag(StorageResponse response) =>
        response.ETag ?? throw new InvalidDataException("The blob response has no ETag.");

    private static BlobProperties Properties(StorageResponse response) =>
        new(
            RequiredETag(response),
            response.LastModified ?? DateTimeOffset.MinValue,
            long.Parse(response.Header("Content-Length") ?? "0", CultureInfo.InvariantCulture),
            response.Header("Content-Type"),
            response.Header("x-ms-lease-state"));
}
