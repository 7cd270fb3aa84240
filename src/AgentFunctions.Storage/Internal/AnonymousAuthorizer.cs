namespace AgentFunctions.Storage.Internal;

/// <summary>No credentials: for public containers or endpoints that need none.</summary>
internal sealed class AnonymousAuthorizer : IRequestAuthorizer
{
    public static AnonymousAuthorizer Instance { get; } = new();

    public Uri PrepareUri(Uri uri) => uri;

    public ValueTask AuthorizeAsync(HttpRequestMessage message, StorageService service, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;
}
