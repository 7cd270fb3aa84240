using System.Globalization;
using System.Text.Json.Nodes;

namespace AgentFunctions.Cli;

/// <summary>Case-insensitive reads of the API's JSON, so the CLI does not depend on the server's naming policy.</summary>
internal static class Json
{
    public static JsonNode? Get(JsonNode? node, string name)
    {
        if (node is not JsonObject obj)
        {
            return null;
        }

        foreach (var (key, value) in obj)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    public static JsonNode? Path(JsonNode? node, params string[] names)
    {
        foreach (var name in names)
        {
            node = Get(node, name);
        }

        return node;
    }

    public static string? Text(JsonNode? node, params string[] names) =>
        Path(node, names) is JsonValue value ? value.ToString() : null;

    public static int? Int(JsonNode? node, params string[] names) =>
        Path(node, names) is JsonValue value && int.TryParse(value.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;

    public static IEnumerable<JsonNode> Items(JsonNode? node, params string[] names) =>
        Path(node, names) is JsonArray array ? array.OfType<JsonNode>() : [];
}
