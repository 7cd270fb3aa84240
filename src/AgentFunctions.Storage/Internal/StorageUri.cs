using System.Text;

namespace AgentFunctions.Storage.Internal;

/// <summary>Builds request URIs under a service endpoint with every segment and query value escaped once.</summary>
internal static class StorageUri
{
    /// <summary>The endpoint followed by <paramref name="escapedPath"/>, which the caller has already escaped.</summary>
    public static Uri Combine(Uri endpoint, string escapedPath, params (string Name, string? Value)[] query)
    {
        var builder = new StringBuilder(endpoint.AbsoluteUri.TrimEnd('/'));
        if (escapedPath.Length > 0)
        {
            builder.Append('/').Append(escapedPath);
        }

        var separator = '?';
        foreach (var (name, value) in query)
        {
            if (value is null)
            {
                continue;
            }

            builder.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return new Uri(builder.ToString());
    }

    /// <summary>Escapes a blob name, keeping '/' so virtual directories stay readable on the wire.</summary>
    public static string EscapeBlobName(string name) =>
        string.Join('/', name.Split('/').Select(Uri.EscapeDataString));
}
