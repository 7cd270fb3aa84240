using System.Globalization;

namespace AgentFunctions.Storage.Internal;

/// <summary>A fully buffered response, so retries and error parsing never depend on a live stream.</summary>
internal sealed class StorageResponse(int status, IReadOnlyDictionary<string, string> headers, byte[] body)
{
    public int Status { get; } = status;

    public byte[] Body { get; } = body;

    public bool IsSuccess => Status is >= 200 and < 300;

    public string? ETag => Header("ETag");

    public DateTimeOffset? LastModified =>
        Header("Last-Modified") is { } text
        && DateTimeOffset.TryParseExact(text, "R", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : null;

    public static StorageResponse From(HttpResponseMessage response, byte[] body)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name] = string.Join(",", values);
        }

        return new StorageResponse((int)response.StatusCode, headers, body);
    }

    public string? Header(string name) => headers.GetValueOrDefault(name);

    public string RequiredHeader(string name) =>
        Header(name) ?? throw new InvalidDataException($"The storage response (status {Status}) lacks the '{name}' header.");
}
