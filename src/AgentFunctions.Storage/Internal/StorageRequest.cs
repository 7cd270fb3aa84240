namespace AgentFunctions.Storage.Internal;

/// <summary>
/// A request description that can be turned into a fresh <see cref="HttpRequestMessage"/> for every attempt,
/// because a message cannot be sent twice and each attempt is signed with its own date.
/// </summary>
internal sealed class StorageRequest(StorageService service, HttpMethod method, Uri uri, string resource)
{
    public StorageService Service { get; } = service;

    public HttpMethod Method { get; } = method;

    /// <summary>The target, without any SAS token (the authorizer appends it).</summary>
    public Uri Uri { get; } = uri;

    /// <summary>A short description for error messages, e.g. "queue 'orders'".</summary>
    public string Resource { get; } = resource;

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public ReadOnlyMemory<byte> Content { get; init; }

    public string? ContentType { get; init; }

    public StorageRequest WithHeader(string name, string? value)
    {
        if (value is not null)
        {
            Headers.Add(new(name, value));
        }

        return this;
    }
}
