namespace AgentFunctions.Storage.Blobs;

/// <summary>The result of a write.</summary>
/// <param name="ETag">The blob's new ETag, for a later If-Match.</param>
/// <param name="LastModified">When it was written.</param>
public sealed record BlobContentInfo(string ETag, DateTimeOffset LastModified);

/// <summary>A blob's system properties.</summary>
/// <param name="ETag">The current ETag.</param>
/// <param name="LastModified">When it was last written.</param>
/// <param name="ContentLength">Its size in bytes.</param>
/// <param name="ContentType">Its content type, if set.</param>
/// <param name="LeaseState">available, leased, expired, breaking or broken.</param>
public sealed record BlobProperties(string ETag, DateTimeOffset LastModified, long ContentLength, string? ContentType, string? LeaseState);

/// <summary>A downloaded blob.</summary>
/// <param name="Content">The whole content.</param>
/// <param name="Properties">Its properties, including the ETag the content belongs to.</param>
public sealed record BlobDownloadResult(BinaryData Content, BlobProperties Properties)
{
    /// <summary>The ETag of the downloaded content.</summary>
    public string ETag => Properties.ETag;
}

/// <summary>A blob in a listing.</summary>
/// <param name="Name">The blob name.</param>
/// <param name="ETag">Its ETag.</param>
/// <param name="ContentLength">Its size in bytes.</param>
/// <param name="LastModified">When it was last written.</param>
public sealed record BlobItem(string Name, string ETag, long ContentLength, DateTimeOffset LastModified);

/// <summary>One page of a blob listing.</summary>
/// <param name="Blobs">The blobs on this page.</param>
/// <param name="ContinuationToken">Pass to the next call for the next page; null on the last page.</param>
public sealed record BlobPage(IReadOnlyList<BlobItem> Blobs, string? ContinuationToken);
