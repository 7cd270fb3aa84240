using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Xml.Linq;
using AgentFunctions.Storage.Internal;

namespace AgentFunctions.Storage.Blobs;

/// <summary>One blob container. Thread-safe; get it from <see cref="StorageAccountClient.GetBlobContainerClient"/>.</summary>
public sealed class BlobContainerClient
{
    private readonly StoragePipeline _pipeline;

    internal BlobContainerClient(StoragePipeline pipeline, Uri endpoint, string name)
    {
        StorageNames.ValidateContainerName(name);
        _pipeline = pipeline;
        Name = name;
        Uri = StorageUri.Combine(endpoint, Uri.EscapeDataString(name));
    }

    /// <summary>The container name.</summary>
    public string Name { get; }

    /// <summary>The container URI.</summary>
    public Uri Uri { get; }

    private string Resource => $"container '{Name}'";

    /// <summary>A client for one blob in this container; the name is validated here.</summary>
    /// <param name="blobName">The blob name; '/' makes virtual directories.</param>
    /// <returns>The blob client.</returns>
    public BlobClient GetBlobClient(string blobName) => new(_pipeline, this, blobName);

    /// <summary>Creates the container (private access) unless it exists.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True when this call created it.</returns>
    public async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        var request = Request(HttpMethod.Put, ("restype", "container"));
        var response = await _pipeline.SendRawAsync(request, cancellationToken);
        if (response.Status == 409 && response.Header("x-ms-error-code") == "ContainerAlreadyExists")
        {
            return false;
        }

        StoragePipeline.ThrowIfFailed(request, response);
        return true;
    }

    /// <summary>Deletes the container and its blobs.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task.</returns>
    /// <exception cref="StorageRequestFailedException">404 ContainerNotFound when it does not exist.</exception>
    public Task DeleteAsync(CancellationToken cancellationToken = default) =>
        _pipeline.SendAsync(Request(HttpMethod.Delete, ("restype", "container")), cancellationToken);

    /// <summary>Deletes the container if it exists.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True when it existed.</returns>
    public async Task<bool> DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        var request = Request(HttpMethod.Delete, ("restype", "container"));
        var response = await _pipeline.SendRawAsync(request, cancellationToken);
        if (response.Status == 404)
        {
            return false;
        }

        StoragePipeline.ThrowIfFailed(request, response);
        return true;
    }

    /// <summary>Lists one page of blobs whose names start with <paramref name="prefix"/>, in name order.</summary>
    /// <param name="prefix">The name prefix, or null for all.</param>
    /// <param name="continuationToken">The previous page's token, or null for the first page.</param>
    /// <param name="pageSize">At most this many blobs (1-5000).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The page and the token for the next one.</returns>
    public async Task<BlobPage> ListBlobsPageAsync(
        string? prefix = null, string? continuationToken = null, int pageSize = 5000, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 5000);
        var request = Request(
            HttpMethod.Get, ("restype", "container"), ("comp", "list"), ("prefix", prefix), ("marker", continuationToken),
            ("maxresults", pageSize.ToString(CultureInfo.InvariantCulture)));
        var response = await _pipeline.SendAsync(request, cancellationToken);
        var xml = XDocument.Parse(Encoding.UTF8.GetString(response.Body));
        var root = xml.Root ?? throw new InvalidDataException("The blob listing is empty.");
        var blobs = root.Element("Blobs")?.Elements("Blob").Select(b =>
        {
            var properties = b.Element("Properties");
            return new BlobItem(
                b.Element("Name")?.Value ?? string.Empty,
                properties?.Element("Etag")?.Value ?? string.Empty,
                long.Parse(properties?.Element("Content-Length")?.Value ?? "0", CultureInfo.InvariantCulture),
                DateTimeOffset.ParseExact(properties?.Element("Last-Modified")?.Value ?? string.Empty, "R", CultureInfo.InvariantCulture));
        }).ToList() ?? [];
        var next = root.Element("NextMarker")?.Value;
        return new BlobPage(blobs, string.IsNullOrEmpty(next) ? null : next);
    }

    /// <summary>Lists every blob whose name starts with <paramref name="prefix"/>, fetching pages as needed.</summary>
    /// <param name="prefix">The name prefix, or null for all.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The blobs in name order.</returns>
    public async IAsyncEnumerable<BlobItem> ListBlobsAsync(string? prefix = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            var page = await ListBlobsPageAsync(prefix, token, cancellationToken: cancellationToken);
            foreach (var blob in page.Blobs)
            {
                yield return blob;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    private StorageRequest Request(HttpMethod method, params (string, string?)[] query) =>
        new(StorageService.Blob, method, StorageUri.Combine(Uri, string.Empty, query), Resource);
}
