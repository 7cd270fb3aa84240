namespace AgentFunctions.Storage.Blobs;

/// <summary>The result of a write.</summary>
/// <param name="ETag">The blob's new ETag, for a later If-Match.</param>
/// <param name="LastModified">When it was written.</param>
public sealed record BlobContentInfo(string ETag, DateTimeOffset LastModified);
