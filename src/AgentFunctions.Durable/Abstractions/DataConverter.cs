using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentFunctions.Durable;

/// <summary>
/// Serializes inputs, outputs, event payloads and custom status to the JSON text stored in history.
/// One instance is shared by the client and the worker so both sides agree on the format.
/// </summary>
public class DataConverter
{
    /// <summary>The default converter: System.Text.Json web defaults, enums as strings.</summary>
    public static DataConverter Default { get; } = new(CreateDefaultOptions());

    /// <summary>Creates a converter over the given serializer options.</summary>
    public DataConverter(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The serializer options in use.</summary>
    public JsonSerializerOptions Options { get; }

    /// <summary>Creates the options <see cref="Default"/> uses.</summary>
    public static JsonSerializerOptions CreateDefaultOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Serializes a value; null stays null.</summary>
    public virtual string? Serialize(object? value) =>
        value is null ? null : JsonSerializer.Serialize(value, value.GetType(), Options);

    /// <summary>Deserializes JSON text; null text gives the default value.</summary>
    public virtual T? Deserialize<T>(string? json) =>
        json is null ? default : JsonSerializer.Deserialize<T>(json, Options);

    /// <summary>Deserializes JSON text to a runtime type; null text gives null.</summary>
    public virtual object? Deserialize(string? json, Type type) =>
        json is null ? null : JsonSerializer.Deserialize(json, type, Options);
}
