using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Research.Configuration;

/// <summary>
/// Binds a configuration section onto an options object's settable properties (whole numbers, numbers, true/false,
/// durations, and nested option classes as sub-sections). Unlike <c>ConfigurationBinder</c>, a value that does not
/// parse or a key that names no property fails with an <see cref="InvalidSettingException"/> naming the key, rather
/// than an exception about type conversion, or silence for a misspelt key. A blank value leaves the default.
/// </summary>
public static class SettingBinder
{
    /// <summary>Binds <paramref name="section"/> onto <paramref name="target"/>.</summary>
    /// <param name="section">The section, e.g. <c>AgentFunctions:Research</c>.</param>
    /// <param name="target">The options object; nested option objects are bound in place.</param>
    /// <exception cref="InvalidSettingException">A key names no setting, or a value does not parse as its setting's type.</exception>
    public static void Bind(IConfigurationSection section, object target)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(target);
        var properties = Settable(target.GetType());
        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                throw new InvalidSettingException(
                    child.Path, $"is not a setting; the settings under {section.Path} are {string.Join(", ", properties.Keys.Order(StringComparer.Ordinal))}.");
            }

            var hasChildren = child.GetChildren().Any();
            if (IsNested(property.PropertyType))
            {
                if (!string.IsNullOrWhiteSpace(child.Value) && !hasChildren)
                {
                    throw new InvalidSettingException(
                        child.Path, $"is a section; set its parts instead ({string.Join(", ", Settable(property.PropertyType).Keys.Select(k => $"{child.Path}:{k}"))}).");
                }

                var nested = property.GetValue(target) ?? Activator.CreateInstance(property.PropertyType)!;
                Bind(child, nested);
                property.SetValue(target, nested);
                continue;
            }

            if (hasChildren)
            {
                throw new InvalidSettingException(child.Path, "must be a single value, not a section.");
            }

            if (string.IsNullOrWhiteSpace(child.Value))
            {
                continue;
            }

            property.SetValue(target, Parse(child.Path, child.Value.Trim(), property.PropertyType));
        }
    }

    /// <summary>Every setting key under <paramref name="sectionPath"/> that <see cref="Bind"/> accepts for <paramref name="optionsType"/>.</summary>
    /// <param name="sectionPath">The section path.</param>
    /// <param name="optionsType">The options type.</param>
    public static IReadOnlyList<string> Keys(string sectionPath, Type optionsType)
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        var keys = new List<string>();
        foreach (var (name, property) in Settable(optionsType).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var path = $"{sectionPath}:{name}";
            if (IsNested(property.PropertyType))
            {
                keys.AddRange(Keys(path, property.PropertyType));
            }
            else
            {
                keys.Add(path);
            }
        }

        return keys;
    }

    private static Dictionary<string, PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    private static bool IsNested(Type type) => type.IsClass && type != typeof(string);

    private static object Parse(string key, string text, Type type)
    {
        if (type == typeof(int))
        {
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw new InvalidSettingException(key, $"'{text}' is not a whole number.");
        }

        if (type == typeof(double))
        {
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                ? number
                : throw new InvalidSettingException(key, $"'{text}' is not a number.");
        }

        if (type == typeof(bool))
        {
            return bool.TryParse(text, out var flag) ? flag : throw new InvalidSettingException(key, $"'{text}' is not true or false.");
        }

        if (type == typeof(TimeSpan))
        {
            // The format host.json and local.settings.json use for durations (TimeSpan's invariant one).
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var duration)
                ? duration
                : throw new InvalidSettingException(key, $"'{text}' is not a duration; write it as hh:mm:ss or d.hh:mm:ss, e.g. 00:00:30.");
        }

        throw new InvalidOperationException($"{key}: settings of type {type.Name} are not supported by {nameof(SettingBinder)}.");
    }
}
