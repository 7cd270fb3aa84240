using System.Collections;
using System.Globalization;

namespace AgentFunctions.Storage.Tables;

/// <summary>
/// A table entity: <see cref="PartitionKey"/>, <see cref="RowKey"/>, the service-set <see cref="ETag"/> and
/// <see cref="Timestamp"/>, and up to 252 typed properties addressed by name like a dictionary.
/// </summary>
/// <remarks>
/// Property values may be <see cref="string"/>, <see cref="int"/> (Edm.Int32), <see cref="long"/> (Edm.Int64),
/// <see cref="double"/>, <see cref="bool"/>, <see cref="DateTimeOffset"/> (Edm.DateTime, stored in UTC; a
/// <see cref="DateTime"/> is converted), <see cref="Guid"/> or <see cref="byte"/>[] (Edm.Binary).
/// Azure limits: a whole entity at most 1 MiB; a string property at most 64 KiB (32 K UTF-16 characters); a
/// binary property at most 64 KiB; keys at most 1 KiB without '/', '\', '#' or '?'. Larger data belongs in a blob.
/// </remarks>
public sealed class TableEntity : IEnumerable<KeyValuePair<string, object>>
{
    private readonly Dictionary<string, object> _properties = new(StringComparer.Ordinal);

    /// <summary>Creates an entity with the given keys.</summary>
    /// <param name="partitionKey">The partition key.</param>
    /// <param name="rowKey">The row key.</param>
    public TableEntity(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    /// <summary>The partition key: entities in one partition can be changed together in a transaction.</summary>
    public string PartitionKey { get; set; }

    /// <summary>The row key, unique within the partition.</summary>
    public string RowKey { get; set; }

    /// <summary>The ETag read from the service (null for a new entity); used for If-Match.</summary>
    public string? ETag { get; set; }

    /// <summary>When the service last modified the entity; set by the service only.</summary>
    public DateTimeOffset? Timestamp { get; set; }

    /// <summary>The number of custom properties.</summary>
    public int Count => _properties.Count;

    /// <summary>The custom property names.</summary>
    public IEnumerable<string> Keys => _properties.Keys;

    /// <summary>Gets or sets a custom property; setting null removes it.</summary>
    /// <param name="name">The property name (not PartitionKey, RowKey or Timestamp).</param>
    /// <returns>The value, or null when absent.</returns>
    public object? this[string name]
    {
        get => _properties.GetValueOrDefault(name);
        set
        {
            ValidateName(name);
            if (value is null)
            {
                _properties.Remove(name);
            }
            else
            {
                _properties[name] = Normalize(name, value);
            }
        }
    }

    /// <summary>Whether the entity has the property.</summary>
    /// <param name="name">The property name.</param>
    /// <returns>True when present.</returns>
    public bool ContainsKey(string name) => _properties.ContainsKey(name);

    /// <summary>Removes a property.</summary>
    /// <param name="name">The property name.</param>
    /// <returns>True when it was present.</returns>
    public bool Remove(string name) => _properties.Remove(name);

    /// <summary>Reads a string property.</summary>
    /// <param name="name">The property name.</param>
    /// <returns>The value, or null when absent.</returns>
    public string? GetString(string name) => Get<string>(name);

    /// <summary>Reads an Edm.Int32 property.</summary>
    /// <param name="name">The property name.</param>
    /// <returns>The value, or null when absent.</returns>
    public int? GetInt32(string name) => GetStruct<int>(name);

    /// <summary>Reads an Edm.Int64 property (an Int32 value widens).</summary>
    /// <param name="name">The property name.</param>
    /// <returns>The value, or null when absent.</returns>
    public long? GetInt64(string name) => _properties.GetValueOrDefault(name) is int i ? i : GetStruct<long>(name);

    /// <summary>Reads an Edm.Double property (an integer value widens).</summary>
    /// <param name="name">The property name.</param>
    /// <returns>The value, or null when absent.</returns>
    public double? GetDouble(string name) => _properties.GetValueOrDefault(name) switch
    {
        int i => i,
        long l => l,
        _ => GetStruct<double>(name),
    };

    /// <summary>Reads an Edm.Boolean property.</summary>
    /// <param name="name">The property name.</param>
    /// <returns>The value, or null when absent.</returns>
    public bool? GetBoolean(string name) => GetStruct<bool>(name);

    /// <summary>Reads an Edm.DateTime property.</summary>
    /// <param name="name">The property name.</param>
    /// <returns>The value (UTC), or null when absent.</returns>
    public DateTimeOffset? GetDateTimeOffset(string name) => GetStruct<DateTimeOffset>(name);

    /// <summary>Reads an Edm.Guid property.</summary>
    /// <param name="name">The property name.</param>
    /// <returns>The value, or null when absent.</returns>
    public Guid? GetGuid(string name) => GetStruct<Guid>(name);

    /// <summary>Reads an Edm.Binary property.</summary>
    /// <param name="name">The property name.</param>
    /// <returns>The value, or null when absent.</returns>
    public byte[]? GetBinary(string name) => Get<byte[]>(name);

    /// <summary>Enumerates the custom properties.</summary>
    /// <returns>The enumerator.</returns>
    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _properties.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal static bool IsReservedName(string name) =>
        name is "PartitionKey" or "RowKey" or "Timestamp" || name.StartsWith("odata.", StringComparison.Ordinal) || name.Contains('@', StringComparison.Ordinal);

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (IsReservedName(name) || name.Length > 255)
        {
            throw new ArgumentException(
                $"'{name}' cannot be a property name: PartitionKey, RowKey and Timestamp are set through their own "
                + "properties, 'odata.' and '@' are reserved, and names are at most 255 characters.", nameof(name));
        }
    }

    private static object Normalize(string name, object value) => value switch
    {
        string or int or long or double or bool or Guid or byte[] => value,
        DateTimeOffset dto => dto.ToUniversalTime(),
        DateTime dt => new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime()),
        float f => (double)f,
        short or byte or sbyte or ushort => Convert.ToInt32(value, CultureInfo.InvariantCulture),
        uint u => (long)u,
        _ => throw new ArgumentException(
            $"Property '{name}' has type {value.GetType().Name}, which a table cannot store; use string, int, long, "
            + "double, bool, DateTimeOffset, Guid or byte[].", nameof(value)),
    };

    private T? Get<T>(string name)
        where T : class =>
        _properties.GetValueOrDefault(name) switch
        {
            null => null,
            T value => value,
            var other => throw WrongType(name, typeof(T), other),
        };

    private T? GetStruct<T>(string name)
        where T : struct =>
        _properties.GetValueOrDefault(name) switch
        {
            null => null,
            T value => value,
            var other => throw WrongType(name, typeof(T), other),
        };

    private static InvalidCastException WrongType(string name, Type wanted, object actual) =>
        new($"Property '{name}' is a {actual.GetType().Name}, not a {wanted.Name}.");
}
