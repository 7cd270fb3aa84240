using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AgentFunctions.Cli;

/// <summary>
/// Signs a reviewer decision as <c>POST /api/approvals/{id}</c> expects: <c>X-AgentFunctions-Signature: t=&lt;unix
/// seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;.&lt;raw body&gt;")&gt;</c>, and a fresh <c>X-AgentFunctions-Delivery</c> id.
/// </summary>
internal static class WebhookSigner
{
    public const string SignatureHeader = "X-AgentFunctions-Signature";
    public const string DeliveryHeader = "X-AgentFunctions-Delivery";

    /// <summary>The signature header value for <paramref name="body"/> at <paramref name="timestamp"/>.</summary>
    public static string Sign(string secret, DateTimeOffset timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var t = timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var prefix = Encoding.UTF8.GetBytes(t + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>A delivery id no other delivery uses, so a retry of this one is recognised and nothing else is.</summary>
    public static string NewDeliveryId() => $"agentfn-{Guid.NewGuid():N}";
}
