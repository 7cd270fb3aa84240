namespace AgentFunctions.Storage.Blobs;

/// <summary>A downloaded blob.</summary>
/// <param name="Content">The whole content.</param>
/// <param name="Properties">Its properties, including the ETag the content belongs to.</param>
public sealed record BlobDownloadResult(BinaryData Content, BlobProperties Properties)
{
    /// <summary>The ETag of the downloaded content.</summary>
    public string ETag => Properties.ETag;
}
