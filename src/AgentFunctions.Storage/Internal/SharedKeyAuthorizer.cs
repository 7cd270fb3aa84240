using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AgentFunctions.Storage.Internal;

/// <summary>
/// Signs requests with the account key: the Blob/Queue "SharedKey" string-to-sign (all standard headers,
/// canonicalized x-ms-* headers and the canonicalized resource with every query parameter) and the Table
/// service's shorter one (verb, MD5, type, date, resource with only <c>comp</c>).
/// </summary>
internal sealed class SharedKeyAuthorizer(string accountName, byte[] accountKey) : IRequestAuthorizer
{
    private readonly byte[] _key = accountKey;

    public string AccountName { get; } = accountName;

    public Uri PrepareUri(Uri uri) => uri;

    public ValueTask AuthorizeAsync(HttpRequestMessage message, StorageService service, CancellationToken cancellationToken)
    {
        var stringToSign = service == StorageService.Table ? TableStringToSign(message) : BlobQueueStringToSign(message);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(stringToSign)));
        message.Headers.TryAddWithoutValidation("Authorization", $"SharedKey {AccountName}:{signature}");
        return ValueTask.CompletedTask;
    }

    internal string BlobQueueStringToSign(HttpRequestMessage message)
    {
        var contentLength = message.Content?.Headers.ContentLength;
        var builder = new StringBuilder(256)
            .Append(message.Method.Method).Append('\n')
            .Append(ContentHeader(message, "Content-Encoding")).Append('\n')
            .Append(ContentHeader(message, "Content-Language")).Append('\n')
            // Since 2015-02-21 a zero length is signed as the empty string.
            .Append(contentLength is null or 0 ? string.Empty : contentLength.Value.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(ContentHeader(message, "Content-MD5")).Append('\n')
            .Append(message.Content?.Headers.ContentType?.ToString() ?? string.Empty).Append('\n')
            .Append(string.Empty).Append('\n') // Date: x-ms-date is used instead.
            .Append(Header(message, "If-Modified-Since")).Append('\n')
            .Append(Header(message, "If-Match")).Append('\n')
            .Append(Header(message, "If-None-Match")).Append('\n')
            .Append(Header(message, "If-Unmodified-Since")).Append('\n')
            .Append(Header(message, "Range")).Append('\n');

        var msHeaders = message.Headers
            .Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h.Key.ToLowerInvariant(), Value: string.Join(",", h.Value).Trim()))
            .OrderBy(h => h.Name, StringComparer.Ordinal);
        foreach (var (name, value) in msHeaders)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }

        var uri = message.RequestUri!;
        builder.Append('/').Append(AccountName).Append(uri.AbsolutePath);
        var parameters = ParseQuery(uri.Query)
            .GroupBy(p => p.Name.ToLowerInvariant(), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in parameters)
        {
            var values = group.Select(p => p.Value).Order(StringComparer.Ordinal);
            builder.Append('\n').Append(group.Key).Append(':').Append(string.Join(",", values));
        }

        return builder.ToString();
    }

    internal string TableStringToSign(HttpRequestMessage message)
    {
        var uri = message.RequestUri!;
        var builder = new StringBuilder(128)
            .Append(message.Method.Method).Append('\n')
            .Append(ContentHeader(message, "Content-MD5")).Append('\n')
            .Append(message.Content?.Headers.ContentType?.ToString() ?? string.Empty).Append('\n')
            .Append(Header(message, "x-ms-date")).Append('\n')
            .Append('/').Append(AccountName).Append(uri.AbsolutePath);
        var comp = ParseQuery(uri.Query).FirstOrDefault(p => string.Equals(p.Name, "comp", StringComparison.OrdinalIgnoreCase));
        if (comp.Name is not null)
        {
            builder.Append("?comp=").Append(comp.Value);
        }

        return builder.ToString();
    }

    private static string Header(HttpRequestMessage message, string name) =>
        message.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : string.Empty;

    private static string ContentHeader(HttpRequestMessage message, string name) =>
        message.Content is not null && message.Content.Headers.TryGetValues(name, out var values)
            ? string.Join(",", values)
            : string.Empty;

    private static IEnumerable<(string Name, string Value)> ParseQuery(string query)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? string.Empty : pair[(equals + 1)..];
            yield return (Uri.UnescapeDataString(name), Uri.UnescapeDataString(value));
        }
    }
}
