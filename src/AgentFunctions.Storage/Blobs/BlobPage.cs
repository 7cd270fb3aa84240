namespace AgentFunctions.Storage.Blobs;

/// <summary>One page of a blob listing.</summary>
/// <param name="Blobs">The blobs on this page.</param>
/// <param name="ContinuationToken">Pass to the next call for the next page; null on the last page.</param>
public sealed record BlobPage(IReadOnlyList<BlobItem> Blobs, string? ContinuationToken);
