namespace AgentFunctions.Storage.Blobs;

/// <summary>A blob in a listing.</summary>
/// <param name="Name">The blob name.</param>
/// <param name="ETag">Its ETag.</param>
/// <param name="ContentLength">Its size in bytes.</param>
/// <param name="LastModified">When it was last written.</param>
public sealed record BlobItem(string Name, string ETag, long ContentLength, DateTimeOffset LastModified);
