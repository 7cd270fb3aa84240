using Azure.Core;

namespace AgentFunctions.Storage.Internal;

/// <summary>
/// Entra ID bearer tokens for the storage audience, cached until five minutes before they expire so that
/// many requests in flight share one token and one refresh.
/// </summary>
internal sealed class TokenCredentialAuthorizer(TokenCredential credential, TimeProvider timeProvider) : IRequestAuthorizer, IDisposable
{
    private static readonly string[] _scopes = ["https://storage.azure.com/.default"];
    private static readonly TimeSpan _refreshMargin = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private AccessToken _token;

    public Uri PrepareUri(Uri uri) => uri;

    public async ValueTask AuthorizeAsync(HttpRequestMessage message, StorageService service, CancellationToken cancellationToken)
    {
        var token = await GetTokenAsync(cancellationToken);
        message.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
    }

    public void Dispose() => _refresh.Dispose();

    private async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        var cached = _token;
        if (IsFresh(cached))
        {
            return cached.Token;
        }

        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (!IsFresh(_token))
            {
                _token = await credential.GetTokenAsync(new TokenRequestContext(_scopes), cancellationToken);
            }

            return _token.Token;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private bool IsFresh(AccessToken token) =>
        token.Token is not null && token.ExpiresOn - _refreshMargin > timeProvider.GetUtcNow();
}
