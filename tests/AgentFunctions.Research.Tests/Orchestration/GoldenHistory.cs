using DurableTask.Core.History;
using Newtonsoft.Json;
using Newtonsoft.Json.Converters;
using Newtonsoft.Json.Serialization;

namespace AgentFunctions.Research.Tests.Orchestration;

/// <summary>
/// Reads and writes recorded histories as DurableTask.Core <see cref="HistoryEvent"/> JSON: the engine's own
/// data-contract form (Newtonsoft, as DurableTask.Core serializes), each event tagged with its class name.
/// Only <see cref="HistoryEvent"/> classes of DurableTask.Core are read back.
/// </summary>
public static class GoldenHistory
{
    private static readonly JsonSerializerSettings s_settings = new()
    {
        TypeNameHandling = TypeNameHandling.Auto,
        SerializationBinder = new HistoryEventBinder(),
        ConstructorHandling = ConstructorHandling.AllowNonPublicDefaultConstructor,
        Formatting = Formatting.Indented,
        NullValueHandling = NullValueHandling.Ignore,
        DateTimeZoneHandling = DateTimeZoneHandling.Utc,
        Converters = { new StringEnumConverter() },
    };

    public static string Serialize(IReadOnlyList<HistoryEvent> history) =>
        JsonConvert.SerializeObject(history.ToList(), typeof(List<HistoryEvent>), s_settings) + "\n";

    public static List<HistoryEvent> Deserialize(string json) =>
        JsonConvert.DeserializeObject<List<HistoryEvent>>(json, s_settings) ?? throw new InvalidDataException("The history file holds no event list.");

    /// <summary>
    /// Writes <c>"$type": "TaskScheduledEvent"</c> for history events; reads back only DurableTask.Core's own types and
    /// generic collections, never a type a file names at will.
    /// </summary>
    private sealed class HistoryEventBinder : ISerializationBinder
    {
        private static readonly Dictionary<string, Type> s_events = typeof(HistoryEvent).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(HistoryEvent).IsAssignableFrom(t))
            .ToDictionary(t => t.Name, StringComparer.Ordinal);

        private readonly DefaultSerializationBinder _default = new();

        public Type BindToType(string? assemblyName, string typeName)
        {
            if (assemblyName is null && s_events.TryGetValue(typeName, out var historyEvent))
            {
                return historyEvent;
            }

            var type = _default.BindToType(assemblyName, typeName);
            return type.Assembly == typeof(HistoryEvent).Assembly || type.Namespace == "System.Collections.Generic"
                ? type
                : throw new JsonSerializationException($"'{typeName}' is neither a DurableTask.Core type nor a generic collection.");
        }

        public void BindToName(Type serializedType, out string? assemblyName, out string? typeName)
        {
            // An engine may record its own subclass of a history event (the test host's sidecar does for sub-orchestration
            // starts); the committed form names the DurableTask.Core class it extends.
            for (var type = serializedType; type is not null; type = type.BaseType)
            {
                if (s_events.TryGetValue(type.Name, out var historyEvent) && historyEvent == type)
                {
                    assemblyName = null;
                    typeName = type.Name;
                    return;
                }
            }

            _default.BindToName(serializedType, out assemblyName, out typeName);
        }
    }
}
