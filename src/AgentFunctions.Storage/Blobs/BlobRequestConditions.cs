namespace AgentFunctions.Storage.Blobs;

/// <summary>Preconditions for a blob write, read or delete; a request whose condition fails is refused (409/412).</summary>
public sealed record BlobRequestConditions
{
    /// <summary>Only if the blob's current ETag is this one (optimistic concurrency); "*" for "exists".</summary>
    public string? IfMatch { get; init; }

    /// <summary>Only if the blob's ETag is not this one; "*" for "does not exist yet".</summary>
    public string? IfNoneMatch { get; init; }

    /// <summary>The active lease on the blob; required to write or delete a leased blob.</summary>
    public string? LeaseId { get; init; }

    /// <summary>Create only: fails with 409 BlobAlreadyExists when the blob exists.</summary>
    public static BlobRequestConditions IfNotExists { get; } = new() { IfNoneMatch = "*" };
}
