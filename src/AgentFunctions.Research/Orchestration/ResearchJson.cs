using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.DurableTask.Converters;

namespace AgentFunctions.Research.Orchestration;

/// <summary>
/// The one JSON form of the pipeline's durable values: inputs, outputs, events and custom status are written and read
/// with it on the worker and on every client, so the HTTP contract's camelCase names and enum names (<c>"outcome":
/// "Approved"</c>) are what the task hub stores.
/// </summary>
public static class ResearchJson
{
    /// <summary>Web defaults (camelCase, case-insensitive reads), enums as names, nulls written.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>The Durable Task data converter over <see cref="Options"/>; hand it to workers and clients alike.</summary>
    public static JsonDataConverter Converter { get; } = new(Options);

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
