using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace AgentFunctions.Storage.Tables;

/// <summary>Writes entities as OData JSON with type annotations and reads them back from minimal metadata.</summary>
internal static class TableEntityJson
{
    /// <summary>Azure's limit for one string property: 64 KiB as UTF-16.</summary>
    public const int MaxStringChars = 32 * 1024;

    /// <summary>Azure's limit for one binary property.</summary>
    public const int MaxBinaryBytes = 64 * 1024;

    private const string DateFormat = "yyyy-MM-ddTHH:mm:ss.fffffffZ";

    public static byte[] Serialize(TableEntity entity)
    {
        StorageNames.ValidateTableKey(entity.PartitionKey, nameof(TableEntity.PartitionKey));
        StorageNames.ValidateTableKey(entity.RowKey, nameof(TableEntity.RowKey));
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("PartitionKey", entity.PartitionKey);
            writer.WriteString("RowKey", entity.RowKey);
            foreach (var (name, value) in entity)
            {
                WriteProperty(writer, name, value);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static TableEntity Deserialize(JsonElement json, string? etagHeader = null)
    {
        var entity = new TableEntity(
            json.TryGetProperty("PartitionKey", out var pk) ? pk.GetString() ?? string.Empty : string.Empty,
            json.TryGetProperty("RowKey", out var rk) ? rk.GetString() ?? string.Empty : string.Empty)
        {
            ETag = etagHeader ?? (json.TryGetProperty("odata.etag", out var etag) ? etag.GetString() : null),
        };

        foreach (var property in json.EnumerateObject())
        {
            var name = property.Name;
            if (name is "PartitionKey" or "RowKey" || name.StartsWith("odata.", StringComparison.Ordinal) || name.Contains('@', StringComparison.Ordinal))
            {
                continue;
            }

            var type = json.TryGetProperty(name + "@odata.type", out var annotation) ? annotation.GetString() : null;
            var value = ReadValue(name, property.Value, type);
            if (name == "Timestamp")
            {
                entity.Timestamp = value as DateTimeOffset? ?? ParseDate(property.Value.GetString());
            }
            else if (value is not null)
            {
                entity[name] = value;
            }
        }

        return entity;
    }

    private static void WriteProperty(Utf8JsonWriter writer, string name, object value)
    {
        switch (value)
        {
            case string s:
                if (s.Length > MaxStringChars)
                {
                    throw new ArgumentException(
                        $"Property '{name}' is {s.Length:N0} characters; a table string property holds at most {MaxStringChars:N0} "
                        + "(64 KiB). Store large text in a blob.", nameof(value));
                }

                writer.WriteString(name, s);
                break;
            case int i:
                writer.WriteNumber(name, i);
                break;
            case long l:
                writer.WriteString(name, l.ToString(CultureInfo.InvariantCulture));
                writer.WriteString(name + "@odata.type", "Edm.Int64");
                break;
            case double d:
                if (double.IsFinite(d))
                {
                    writer.WriteNumber(name, d);
                }
                else
                {
                    writer.WriteString(name, double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                }

                writer.WriteString(name + "@odata.type", "Edm.Double");
                break;
            case bool b:
                writer.WriteBoolean(name, b);
                break;
            case DateTimeOffset dto:
                writer.WriteString(name, dto.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture));
                writer.WriteString(name + "@odata.type", "Edm.DateTime");
                break;
            case Guid g:
                writer.WriteString(name, g.ToString("D"));
                writer.WriteString(name + "@odata.type", "Edm.Guid");
                break;
            case byte[] bytes:
                if (bytes.Length > MaxBinaryBytes)
                {
                    throw new ArgumentException(
                        $"Property '{name}' is {bytes.Length:N0} bytes; a table binary property holds at most {MaxBinaryBytes:N0} (64 KiB).",
                        nameof(value));
                }

                writer.WriteBase64String(name, bytes);
                writer.WriteString(name + "@odata.type", "Edm.Binary");
                break;
            default:
                throw new ArgumentException($"Property '{name}' has unsupported type {value.GetType().Name}.", nameof(value));
        }
    }

    private static object? ReadValue(string name, JsonElement value, string? type)
    {
        try
        {
            return (type, value.ValueKind) switch
            {
                (_, JsonValueKind.Null) => null,
                ("Edm.Int64", _) => long.Parse(value.GetString()!, CultureInfo.InvariantCulture),
                ("Edm.Int32", JsonValueKind.String) => int.Parse(value.GetString()!, CultureInfo.InvariantCulture),
                ("Edm.Double", JsonValueKind.String) => value.GetString() switch
                {
                    "NaN" => double.NaN,
                    "Infinity" => double.PositiveInfinity,
                    "-Infinity" => double.NegativeInfinity,
                    var text => double.Parse(text!, CultureInfo.InvariantCulture),
                },
                ("Edm.Double", JsonValueKind.Number) => value.GetDouble(),
                ("Edm.DateTime", _) => ParseDate(value.GetString()),
                ("Edm.Guid", _) => Guid.Parse(value.GetString()!),
                ("Edm.Binary", _) => value.GetBytesFromBase64(),
                ("Edm.Boolean", _) or (null, JsonValueKind.True or JsonValueKind.False) => value.GetBoolean(),
                ("Edm.String", _) or (null, JsonValueKind.String) => value.GetString(),
                (null, JsonValueKind.Number) => ReadUntypedNumber(value),
                _ => throw new InvalidDataException($"Property '{name}' has unsupported type '{type ?? value.ValueKind.ToString()}'."),
            };
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or InvalidOperationException)
        {
            throw new InvalidDataException($"Property '{name}' could not be read as {type ?? value.ValueKind.ToString()}.", ex);
        }
    }

    private static object ReadUntypedNumber(JsonElement value)
    {
        // Minimal metadata leaves Int32 and Double unannotated; a fraction or exponent marks a double.
        var raw = value.GetRawText();
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0 && value.TryGetInt32(out var i))
        {
            return i;
        }

        return value.GetDouble();
    }

    private static DateTimeOffset ParseDate(string? text) =>
        DateTimeOffset.Parse(text ?? throw new InvalidDataException("A DateTime property is empty."), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
