using System.Text.Json;

namespace AgentFunctions.Research.Agents;

/// <summary>Reads required fields out of a model's JSON reply, with errors a model can act on.</summary>
internal static class JsonReply
{
    public static JsonElement Object(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ReplyValidationException($"{path} must be a JSON object, got {Kind(element)}.");
        }

        return element;
    }

    public static string String(JsonElement parent, string name, string path, bool allowEmpty = false)
    {
        var value = Property(parent, name, path);
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new ReplyValidationException($"{path}.{name} must be a string, got {Kind(value)}.");
        }

        var text = value.GetString()!;
        if (!allowEmpty && string.IsNullOrWhiteSpace(text))
        {
            throw new ReplyValidationException($"{path}.{name} must not be empty.");
        }

        return text;
    }

    public static bool Boolean(JsonElement parent, string name, string path)
    {
        var value = Property(parent, name, path);
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ReplyValidationException($"{path}.{name} must be true or false, got {Kind(value)}."),
        };
    }

    public static double Number(JsonElement parent, string name, string path, double min, double max)
    {
        var value = Property(parent, name, path);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            throw new ReplyValidationException($"{path}.{name} must be a number, got {Kind(value)}.");
        }

        if (number < min || number > max)
        {
            throw new ReplyValidationException($"{path}.{name} must be between {min} and {max}, got {number}.");
        }

        return number;
    }

    public static int Integer(JsonElement parent, string name, string path, int min, int max)
    {
        var value = Property(parent, name, path);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
        {
            throw new ReplyValidationException($"{path}.{name} must be an integer, got {Kind(value)}.");
        }

        if (number < min || number > max)
        {
            throw new ReplyValidationException($"{path}.{name} must be between {min} and {max}, got {number}.");
        }

        return number;
    }

    public static JsonElement.ArrayEnumerator Array(JsonElement parent, string name, string path)
    {
        var value = Property(parent, name, path);
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new ReplyValidationException($"{path}.{name} must be an array, got {Kind(value)}.");
        }

        return value.EnumerateArray();
    }

    private static JsonElement Property(JsonElement parent, string name, string path) =>
        parent.TryGetProperty(name, out var value)
            ? value
            : throw new ReplyValidationException($"{path} is missing the required property \"{name}\".");

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
