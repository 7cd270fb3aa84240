namespace AgentFunctions.Storage.Blobs;

/// <summary>A blob's system properties.</summary>
/// <param name="ETag">The current ETag.</param>
/// <param name="LastModified">When it was last written.</param>
/// <param name="ContentLength">Its size in bytes.</param>
/// <param name="ContentType">Its content type, if set.</param>
/// <param name="LeaseState">available, leased, expired, breaking or broken.</param>
public sealed record BlobProperties(string ETag, DateTimeOffset LastModified, long ContentLength, string? ContentType, string? LeaseState);
