using System.Globalization;
using System.Text;
using AgentFunctions.Storage.Internal;

namespace AgentFunctions.Storage.Tables;

/// <summary>
/// The multipart/mixed body of an entity-group transaction (one batch holding one changeset) and the parser
/// for its answer.
/// </summary>
internal sealed class TableBatchBody
{
    private const string Crlf = "\r\n";

    public TableBatchBody(IReadOnlyList<TableTransactionAction> actions, Uri tableUri, Func<string, string, Uri> entityUri)
    {
        var batch = "batch_" + Guid.NewGuid().ToString("N");
        var changeset = "changeset_" + Guid.NewGuid().ToString("N");
        ContentType = $"multipart/mixed; boundary={batch}";
        var text = new StringBuilder(actions.Count * 512)
            .Append("--").Append(batch).Append(Crlf)
            .Append("Content-Type: multipart/mixed; boundary=").Append(changeset).Append(Crlf)
            .Append(Crlf);
        for (var i = 0; i < actions.Count; i++)
        {
            var (type, entity) = (actions[i].ActionType, actions[i].Entity);
            var (method, uri, ifMatch, hasBody) = type switch
            {
                TableTransactionActionType.Add => ("POST", tableUri, null, true),
                TableTransactionActionType.UpsertMerge => ("MERGE", entityUri(entity.PartitionKey, entity.RowKey), null, true),
                TableTransactionActionType.UpsertReplace => ("PUT", entityUri(entity.PartitionKey, entity.RowKey), null, true),
                TableTransactionActionType.UpdateMerge => ("MERGE", entityUri(entity.PartitionKey, entity.RowKey), entity.ETag ?? "*", true),
                TableTransactionActionType.UpdateReplace => ("PUT", entityUri(entity.PartitionKey, entity.RowKey), entity.ETag ?? "*", true),
                TableTransactionActionType.Delete => ("DELETE", entityUri(entity.PartitionKey, entity.RowKey), entity.ETag ?? "*", false),
                _ => throw new ArgumentOutOfRangeException(nameof(actions), type, $"Action {i} has an unknown type."),
            };

            text.Append("--").Append(changeset).Append(Crlf)
                .Append("Content-Type: application/http").Append(Crlf)
                .Append("Content-Transfer-Encoding: binary").Append(Crlf)
                .Append(Crlf)
                .Append(method).Append(' ').Append(uri.AbsoluteUri).Append(" HTTP/1.1").Append(Crlf)
                .Append("Content-ID: ").Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append(Crlf)
                .Append("Accept: application/json;odata=minimalmetadata").Append(Crlf)
                .Append("DataServiceVersion: 3.0").Append(Crlf);
            if (ifMatch is not null)
            {
                text.Append("If-Match: ").Append(ifMatch).Append(Crlf);
            }

            if (hasBody)
            {
                text.Append("Prefer: return-no-content").Append(Crlf)
                    .Append("Content-Type: application/json").Append(Crlf)
                    .Append(Crlf)
                    .Append(Encoding.UTF8.GetString(TableEntityJson.Serialize(entity))).Append(Crlf);
            }
            else
            {
                text.Append(Crlf);
            }
        }

        text.Append("--").Append(changeset).Append("--").Append(Crlf)
            .Append(Crlf)
            .Append("--").Append(batch).Append("--").Append(Crlf);
        Content = Encoding.UTF8.GetBytes(text.ToString());
    }

    public string ContentType { get; }

    public byte[] Content { get; }

    /// <summary>Splits a batch response into the per-action HTTP responses it contains, in order.</summary>
    public static IReadOnlyList<Part> ParseResponse(StorageResponse response)
    {
        var contentType = response.RequiredHeader("Content-Type");
        var body = Encoding.UTF8.GetString(response.Body);
        var parts = new List<Part>();
        foreach (var section in SplitMultipart(body, Boundary(contentType)))
        {
            var (headers, content) = SplitHeaders(section);
            if (headers.TryGetValue("Content-Type", out var innerType) && innerType.StartsWith("multipart/mixed", StringComparison.OrdinalIgnoreCase))
            {
                parts.AddRange(SplitMultipart(content, Boundary(innerType)).Select(ParseHttpPart));
            }
            else
            {
                parts.Add(ParseHttpPart(section));
            }
        }

        return parts;
    }

    /// <summary>
    /// The zero-based index of the failed action: from the Content-ID echoed back, else from the "n:" prefix
    /// Azure puts on the error message.
    /// </summary>
    public static int? FailedIndex(Part failed, int actionCount)
    {
        if (failed.Headers.TryGetValue("Content-ID", out var id)
            && int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var contentId)
            && contentId >= 1 && contentId <= actionCount)
        {
            return contentId - 1;
        }

        var message = StoragePipeline.ParseError(failed.Body).Message;
        var colon = message?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        return colon > 0
            && int.TryParse(message![..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && index < actionCount
                ? index
                : null;
    }

    private static string Boundary(string contentType)
    {
        const string marker = "boundary=";
        var start = contentType.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
        if (start < 0)
        {
            throw new InvalidDataException($"The batch response content type '{contentType}' has no boundary.");
        }

        var boundary = contentType[(start + marker.Length)..];
        var end = boundary.IndexOf(';', StringComparison.Ordinal);
        return (end < 0 ? boundary : boundary[..end]).Trim().Trim('"');
    }

    private static IEnumerable<string> SplitMultipart(string body, string boundary)
    {
        var delimiter = "--" + boundary;
        var sections = body.Split(delimiter);
        // The first section is the preamble; the last starts with "--" (the close delimiter).
        for (var i = 1; i < sections.Length; i++)
        {
            var section = sections[i];
            if (section.StartsWith("--", StringComparison.Ordinal))
            {
                yield break;
            }

            yield return section.TrimStart('\r', '\n');
        }
    }

    private static (Dictionary<string, string> Headers, string Content) SplitHeaders(string section)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var separator = section.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var (head, content) = separator < 0 ? (section, string.Empty) : (section[..separator], section[(separator + 4)..]);
        foreach (var line in head.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return (headers, content);
    }

    private static Part ParseHttpPart(string section)
    {
        // A part is MIME headers, a blank line, then an HTTP response: status line, headers, blank line, body.
        var (_, http) = SplitHeaders(section);
        var statusEnd = http.IndexOf("\r\n", StringComparison.Ordinal);
        var statusLine = statusEnd < 0 ? http : http[..statusEnd];
        var pieces = statusLine.Split(' ', 3);
        if (pieces.Length < 2 || !int.TryParse(pieces[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new InvalidDataException($"A batch response part has no HTTP status line: '{statusLine}'.");
        }

        var (headers, body) = SplitHeaders(statusEnd < 0 ? string.Empty : http[(statusEnd + 2)..]);
        return new Part(status, headers, Encoding.UTF8.GetBytes(body.TrimEnd('\r', '\n')));
    }

    /// <summary>One action's response inside the batch response.</summary>
    internal sealed record Part(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        public string? ETag => Headers.GetValueOrDefault("ETag");
    }
}
