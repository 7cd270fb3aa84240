using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AgentFunctions.Host.Approvals;

/// <summary>
/// The reviewer webhook's signature: <c>X-AgentFunctions-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex
/// HMAC-SHA256(secret, "&lt;t&gt;.&lt;raw body&gt;")&gt;</c>. Several <c>v1</c> values may be sent and several
/// secrets configured, so either side can rotate; one match of any pair is enough.
/// </summary>
public static class WebhookSignature
{
    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "X-AgentFunctions-Signature";

    /// <summary>The delivery id header.</summary>
    public const string DeliveryHeader = "X-AgentFunctions-Delivery";

    /// <summary>Computes the hex <c>v1</c> value for a body.</summary>
    public static string Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Convert.ToHexStringLower(Mac(Encoding.UTF8.GetBytes(secret), timestamp, body));
    }

    /// <summary>Builds a complete header value.</summary>
    public static string CreateHeader(string secret, long timestamp, ReadOnlySpan<byte> body) =>
        string.Create(CultureInfo.InvariantCulture, $"t={timestamp},v1={Compute(secret, timestamp, body)}");

    /// <summary>Checks a header against the body; null when valid, otherwise why not (safe to show the caller).</summary>
    public static string? Verify(string? header, ReadOnlySpan<byte> body, IReadOnlyList<string> secrets, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        if (secrets.Count == 0)
        {
            return "The host has no webhook secret configured (AgentFunctions:Review:WebhookSecret), so no signature can be accepted.";
        }

        if (string.IsNullOrWhiteSpace(header))
        {
            return $"The {SignatureHeader} header is missing.";
        }

        long? timestamp = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var name = part[..eq];
            var value = part[(eq + 1)..];
            if (name == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (name == "v1" && value.Length == 64 && value.All(char.IsAsciiHexDigit))
            {
                signatures.Add(Convert.FromHexString(value));
            }
        }

        if (timestamp is null || signatures.Count == 0)
        {
            return $"The {SignatureHeader} header must be 't=<unix seconds>,v1=<64 hex digits>'.";
        }

        var age = now - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(timestamp.Value, 0, 253_402_300_799));
        if (age.Duration() > tolerance)
        {
            return $"The signature timestamp is {(long)age.TotalSeconds} s away from the host's clock; at most {(long)tolerance.TotalSeconds} s is accepted.";
        }

        var match = false;
        foreach (var secret in secrets)
        {
            var expected = Mac(Encoding.UTF8.GetBytes(secret), timestamp.Value, body);
            foreach (var presented in signatures)
            {
                match |= CryptographicOperations.FixedTimeEquals(expected, presented);
            }
        }

        return match ? null : "No v1 signature matches the body under any configured secret.";
    }

    private static byte[] Mac(byte[] key, long timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{timestamp}.")));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
