namespace AgentFunctions.Storage.Internal;

/// <summary>Adds credentials to one attempt of a request.</summary>
internal interface IRequestAuthorizer
{
    /// <summary>The URI to send to (a SAS authorizer appends its token).</summary>
    Uri PrepareUri(Uri uri);

    /// <summary>Signs or stamps a message whose other headers are final.</summary>
    ValueTask AuthorizeAsync(HttpRequestMessage message, StorageService service, CancellationToken cancellationToken);
}
