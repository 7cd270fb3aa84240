using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Host.Configuration;

/// <summary>Typed, range-checked reads of configuration values; every failure names its key.</summary>
internal sealed class SettingReader(IConfiguration configuration)
{
    public string? String(string key)
    {
        var value = configuration[key];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    public int Int(string key, int defaultValue, int min, int max)
    {
        var text = String(key);
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new HostConfigurationException(Describe(key), $"'{text}' is not a whole number.");
        }

        return value < min || value > max
            ? throw new HostConfigurationException(Describe(key), $"{value} is out of range; allowed {min} to {max}.")
            : value;
    }

    public TimeSpan Duration(string key, TimeSpan defaultValue, TimeSpan min, TimeSpan max)
    {
        var text = String(key);
        if (text is null)
        {
            return defaultValue;
        }

        // host.json writes durations as "hh:mm:ss" or "d.hh:mm:ss" (TimeSpan's invariant format).
        if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value))
        {
            throw new HostConfigurationException(Describe(key), $"'{text}' is not a TimeSpan; write it as hh:mm:ss or d.hh:mm:ss, e.g. 00:00:30.");
        }

        return value < min || value > max
            ? throw new HostConfigurationException(Describe(key), $"{text} is out of range; allowed {min} to {max}.")
            : value;
    }

    public bool Bool(string key, bool defaultValue)
    {
        var text = String(key);
        if (text is null)
        {
            return defaultValue;
        }

        return bool.TryParse(text, out var value)
            ? value
            : throw new HostConfigurationException(Describe(key), $"'{text}' is not true or false.");
    }

    public IReadOnlyList<string> List(string key) =>
        String(key) is { } text
            ? [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
            : [];

    /// <summary>Shows host.json keys by their path in the file as well as their configuration key.</summary>
    public static string Describe(string key) =>
        key.StartsWith(FunctionsConfigurationExtensions.JobHostSection + ":", StringComparison.OrdinalIgnoreCase)
            ? $"host.json {key[(FunctionsConfigurationExtensions.JobHostSection.Length + 1)..].Replace(':', '.')} ({key})"
            : key;
}
