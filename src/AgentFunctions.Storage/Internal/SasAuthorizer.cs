namespace AgentFunctions.Storage.Internal;

/// <summary>Appends a shared access signature token to every request's query.</summary>
internal sealed class SasAuthorizer(string token) : IRequestAuthorizer
{
    private readonly string _token = token.TrimStart('?');

    public Uri PrepareUri(Uri uri)
    {
        // The token is already percent-encoded; append it verbatim so it is not encoded twice.
        var separator = string.IsNullOrEmpty(uri.Query) ? "?" : "&";
        return new Uri(uri.AbsoluteUri + separator + _token);
    }

    public ValueTask AuthorizeAsync(HttpRequestMessage message, StorageService service, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;
}
