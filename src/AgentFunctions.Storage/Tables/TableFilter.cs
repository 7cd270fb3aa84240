using System.Globalization;
using System.Text;

namespace AgentFunctions.Storage.Tables;

/// <summary>
/// Builds OData <c>$filter</c> expressions with values written as correctly escaped literals, so that data
/// (an instance id with a quote in it, say) can never change the shape of a query.
/// </summary>
public static class TableFilter
{
    /// <summary>
    /// Formats an interpolated filter, writing every interpolated value as a literal:
    /// <c>TableFilter.Format($"PartitionKey eq {pk} and Count gt {5L}")</c> gives
    /// <c>PartitionKey eq 'O''Brien' and Count gt 5L</c>.
    /// </summary>
    /// <param name="filter">The interpolated filter.</param>
    /// <returns>The filter text.</returns>
    public static string Format(FormattableString filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var literals = filter.GetArguments().Select(Literal).ToArray<object?>();
        return string.Format(CultureInfo.InvariantCulture, filter.Format, literals);
    }

    /// <summary>Writes one value as an OData literal.</summary>
    /// <param name="value">A string, int, long, double, bool, DateTimeOffset, DateTime, Guid or byte[].</param>
    /// <returns>The literal: <c>'it''s'</c>, <c>42</c>, <c>42L</c>, <c>datetime'2024-01-01T00:00:00.0000000Z'</c>, <c>guid'…'</c>, <c>X'0a1b'</c>.</returns>
    public static string Literal(object? value) => value switch
    {
        null => throw new ArgumentNullException(nameof(value), "A table filter cannot compare with null."),
        string s => Quote(s),
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        double d => DoubleLiteral(d),
        DateTimeOffset dto => $"datetime'{dto.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture)}'",
        DateTime dt => Literal(new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt)),
        Guid g => $"guid'{g:D}'",
        byte[] bytes => $"X'{Convert.ToHexStringLower(bytes)}'",
        _ => throw new ArgumentException($"A table filter cannot compare with a {value.GetType().Name}.", nameof(value)),
    };

    /// <summary>Quotes a string literal, doubling single quotes as OData requires.</summary>
    /// <param name="value">The string.</param>
    /// <returns>The quoted literal.</returns>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new StringBuilder(value.Length + 2).Append('\'').Append(value.Replace("'", "''", StringComparison.Ordinal)).Append('\'').ToString();
    }

    /// <summary>Joins conditions with <c>and</c>, each in parentheses.</summary>
    /// <param name="conditions">The conditions.</param>
    /// <returns>The combined filter.</returns>
    public static string And(params string[] conditions) => Join("and", conditions);

    /// <summary>Joins conditions with <c>or</c>, each in parentheses.</summary>
    /// <param name="conditions">The conditions.</param>
    /// <returns>The combined filter.</returns>
    public static string Or(params string[] conditions) => Join("or", conditions);

    /// <summary>
    /// A filter for string properties starting with <paramref name="prefix"/>:
    /// <c>name ge 'prefix' and name lt 'prefiy'</c> (tables have no startswith).
    /// </summary>
    /// <param name="property">The property, e.g. RowKey.</param>
    /// <param name="prefix">The prefix (not empty).</param>
    /// <returns>The filter.</returns>
    public static string StartsWith(string property, string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(property);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var upper = prefix[..^1] + (char)(prefix[^1] + 1);
        return $"{property} ge {Quote(prefix)} and {property} lt {Quote(upper)}";
    }

    private static string Join(string op, string[] conditions)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        var parts = conditions.Where(c => !string.IsNullOrWhiteSpace(c)).ToArray();
        return parts.Length == 1 ? parts[0] : string.Join($" {op} ", parts.Select(c => $"({c})"));
    }

    private static string DoubleLiteral(double d)
    {
        if (!double.IsFinite(d))
        {
            throw new ArgumentException("A table filter cannot compare with NaN or infinity.", nameof(d));
        }

        var text = d.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
    }
}
