using System.Security.Cryptography;
using System.Text;

namespace AgentFunctions.Host.Hosting;

/// <summary>Table keys for values a caller chose (an Idempotency-Key, a delivery id).</summary>
internal static class TableKeys
{
    /// <summary>
    /// The PartitionKey of <paramref name="value"/> within <paramref name="scope"/>: lowercase hex SHA-256 of
    /// both. Callers may send '/', '\', '#', '?' or control characters, which a table key cannot hold; hashing
    /// also fixes the length and spreads keys over partitions. The value itself is stored as a property.
    /// </summary>
    public static string For(string scope, string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{scope}\0{value}")));

}
