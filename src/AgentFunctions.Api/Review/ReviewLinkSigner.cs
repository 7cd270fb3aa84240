using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace AgentFunctions.Host.Review;

/// <summary>What a signed token allows; a token for one purpose is never accepted for another.</summary>
internal enum LinkPurpose
{
    /// <summary>Open the review page of one instance.</summary>
    View,

    /// <summary>Post a decision from that page (the form's anti-forgery token).</summary>
    Decide,

    /// <summary>Submit a question from the runs page.</summary>
    Submit,
}

/// <summary>
/// Signs and checks the review page's capability tokens: <c>&lt;expiry unix&gt;.&lt;base64url HMAC-SHA256&gt;</c>
/// over purpose, instance id and expiry, keyed by <c>AgentFunctions:Review:LinkSecret</c>, which is separate
/// from the webhook secret so the page never needs (or leaks) the latter. Binding the token to the instance
/// and the purpose makes a form token useless on another run, and a cross-site form cannot know it.
/// </summary>
internal sealed class ReviewLinkSigner
{
    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public ReviewLinkSigner(byte[] key, TimeSpan ttl, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
        Ttl = ttl;
        _time = time;
    }

    public TimeSpan Ttl { get; }

    public string Sign(LinkPurpose purpose, string instanceId) => Sign(purpose, instanceId, _time.GetUtcNow().Add(Ttl));

    public string Sign(LinkPurpose purpose, string instanceId, DateTimeOffset expires)
    {
        var exp = expires.ToUnixTimeSeconds();
        return string.Create(CultureInfo.InvariantCulture, $"{exp}.{WebEncoders.Base64UrlEncode(Mac(purpose, instanceId, exp))}");
    }

    /// <summary>Checks a token; returns its expiry when valid.</summary>
    public bool TryVerify(string? token, LinkPurpose purpose, string instanceId, out DateTimeOffset expires)
    {
        expires = default;
        if (string.IsNullOrEmpty(token) || token.Length > 200)
        {
            return false;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(token.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var exp))
        {
            return false;
        }

        byte[] presented;
        try
        {
            presented = WebEncoders.Base64UrlDecode(token[(dot + 1)..]);
        }
        catch (FormatException)
        {
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(presented, Mac(purpose, instanceId, exp)))
        {
            return false;
        }

        expires = DateTimeOffset.FromUnixTimeSeconds(Math.Min(exp, DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
        return _time.GetUtcNow() <= expires;
    }

    private byte[] Mac(LinkPurpose purpose, string instanceId, long exp) =>
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{purpose}\n{instanceId}\n{exp}")));
}
