using System.Globalization;
using System.Text.Json;

namespace AgentFunctions.Research.Search;

/// <summary>Reads corpus documents from a folder of JSON files, one document per file.</summary>
/// <remarks>
/// Every problem is reported as an <see cref="InvalidDataException"/> whose message names the file and the
/// field, because the corpus is hand-edited and a vague "invalid JSON" costs far more time than it saves.
/// </remarks>
public static class CorpusLoader
{
    /// <summary>The date format the corpus uses.</summary>
    public const string DateFormat = "yyyy-MM-dd";

    /// <summary>Loads every <c>*.json</c> file directly inside <paramref name="directory"/>, ordered by file name.</summary>
    /// <param name="directory">The corpus folder.</param>
    /// <returns>The documents, in file-name order.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">A document is malformed, two documents share an id, or there are none.</exception>
    public static IReadOnlyList<CorpusDocument> LoadDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Corpus folder '{directory}' does not exist.");
        }

        // Ordinal order keeps loading (and therefore tie-breaking downstream) identical on every OS.
        var files = Directory.GetFiles(directory, "*.json", SearchOption.TopDirectoryOnly);
        Array.Sort(files, StringComparer.Ordinal);
        if (files.Length == 0)
        {
            throw new InvalidDataException($"Corpus folder '{directory}' contains no *.json documents.");
        }

        var documents = new List<CorpusDocument>(files.Length);
        var fileById = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var document = Parse(File.ReadAllText(file), file);
            if (!fileById.TryAdd(document.Id, file))
            {
                throw new InvalidDataException(
                    $"Corpus documents '{fileById[document.Id]}' and '{file}' both have id '{document.Id}'; ids must be unique.");
            }

            documents.Add(document);
        }

        return documents;
    }

    /// <summary>Parses one corpus document.</summary>
    /// <param name="json">The JSON text of the document.</param>
    /// <param name="source">Where the text came from (a file path), used in error messages.</param>
    /// <returns>The document.</returns>
    /// <exception cref="InvalidDataException">The JSON is malformed or a field is missing or invalid.</exception>
    public static CorpusDocument Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);

        JsonDocument parsed;
        try
        {
            parsed = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException(
                $"Corpus document '{source}' is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {ex.Message}", ex);
        }

        using (parsed)
        {
            var root = parsed.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"Corpus document '{source}' must be a JSON object, found {root.ValueKind}.");
            }

            var id = RequiredString(root, "id", source);
            var title = RequiredString(root, "title", source);
            var urlText = RequiredString(root, "url", source);
            var dateText = RequiredString(root, "date", source);
            var topic = RequiredString(root, "topic", source);
            var body = RequiredString(root, "body", source);

            if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            {
                throw new InvalidDataException(
                    $"Corpus document '{source}': field 'url' must be an absolute http or https URL, found '{urlText}'.");
            }

            if (!DateOnly.TryParseExact(dateText, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                throw new InvalidDataException(
                    $"Corpus document '{source}': field 'date' must be a date in {DateFormat} form, found '{dateText}'.");
            }

            return new CorpusDocument(id, title, url, date, topic, body);
        }
    }

    private static string RequiredString(JsonElement root, string field, string source)
    {
        if (!root.TryGetProperty(field, out var value))
        {
            throw new InvalidDataException($"Corpus document '{source}': required field '{field}' is missing.");
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new InvalidDataException(
                $"Corpus document '{source}': field '{field}' must be a string, found {value.ValueKind}.");
        }

        var text = value.GetString()!;
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InvalidDataException($"Corpus document '{source}': field '{field}' must not be empty.");
        }

        return text.Trim();
    }
}
