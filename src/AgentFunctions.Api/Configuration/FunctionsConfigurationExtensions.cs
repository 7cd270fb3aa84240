using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Host.Configuration;

/// <summary>
/// Reads configuration the way Azure Functions Core Tools do: <c>host.json</c> at the content root (exposed
/// under <see cref="JobHostSection"/>, so <c>AzureFunctionsJobHost__extensions__durableTask__hubName</c>
/// overrides <c>extensions.durableTask.hubName</c>), the <c>Values</c> and <c>Host</c> sections of
/// <c>local.settings.json</c>, and environment variables and the command line over both.
/// </summary>
public static class FunctionsConfigurationExtensions
{
    /// <summary>The section host.json is mounted under, as in the Functions host.</summary>
    public const string JobHostSection = "AzureFunctionsJobHost";

    /// <summary>The host.json file name.</summary>
    public const string HostJsonFileName = "host.json";

    /// <summary>The local settings file name.</summary>
    public const string LocalSettingsFileName = "local.settings.json";

    /// <summary>
    /// Adds host.json and local.settings.json from <paramref name="contentRoot"/>, then environment variables
    /// and <paramref name="args"/> again so that they win over both files (Core Tools never let
    /// local.settings.json override a variable that is already set).
    /// </summary>
    /// <exception cref="HostConfigurationException">A file exists but cannot be read as the expected JSON.</exception>
    public static IConfigurationBuilder AddFunctionsConfiguration(this IConfigurationBuilder configuration, string contentRoot, string[] args)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(args);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        ReadHostJson(Path.Combine(contentRoot, HostJsonFileName), values);
        ReadLocalSettings(Path.Combine(contentRoot, LocalSettingsFileName), values);
        configuration.AddInMemoryCollection(values);
        configuration.AddEnvironmentVariables("ASPNETCORE_");
        configuration.AddEnvironmentVariables();
        configuration.AddCommandLine(args);
        return configuration;
    }

    /// <summary>
    /// Picks the content root: the working directory when it holds host.json (running from the repository
    /// root, as <c>func start</c> runs from the app folder), otherwise the application's base directory,
    /// where the build copies host.json.
    /// </summary>
    public static string LocateContentRoot()
    {
        var current = Directory.GetCurrentDirectory();
        return File.Exists(Path.Combine(current, HostJsonFileName)) ? current : AppContext.BaseDirectory;
    }

    private static void ReadHostJson(string path, Dictionary<string, string?> values)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var document = Parse(path);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new HostConfigurationException(HostJsonFileName, $"'{path}' must hold a JSON object.");
        }

        Flatten(document.RootElement, JobHostSection, values);

        // host.json "logging.logLevel" uses the same category model as ASP.NET Core's "Logging:LogLevel".
        if (document.RootElement.TryGetProperty("logging", out var logging)
            && logging.ValueKind == JsonValueKind.Object
            && logging.TryGetProperty("logLevel", out var levels)
            && levels.ValueKind == JsonValueKind.Object)
        {
            foreach (var level in levels.EnumerateObject())
            {
                var category = string.Equals(level.Name, "default", StringComparison.OrdinalIgnoreCase) ? "Default" : level.Name;
                values[$"Logging:LogLevel:{category}"] = level.Value.ToString();
            }
        }
    }

    private static void ReadLocalSettings(string path, Dictionary<string, string?> values)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var document = Parse(path);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new HostConfigurationException(LocalSettingsFileName, $"'{path}' must hold a JSON object.");
        }

        if (root.TryGetProperty("IsEncrypted", out var encrypted) && encrypted.ValueKind == JsonValueKind.True)
        {
            throw new HostConfigurationException(
                $"{LocalSettingsFileName} IsEncrypted",
                "encrypted local settings are not supported by this host; decrypt them (func settings decrypt) or set IsEncrypted to false.");
        }

        if (root.TryGetProperty("Values", out var settings))
        {
            if (settings.ValueKind != JsonValueKind.Object)
            {
                throw new HostConfigurationException($"{LocalSettingsFileName} Values", "must be a JSON object of string settings.");
            }

            foreach (var setting in settings.EnumerateObject())
            {
                // "A__B" and "A:B" both address section A, key B, exactly as environment variables do.
                var key = setting.Name.Replace("__", ":", StringComparison.Ordinal);
                values[key] = setting.Value.ValueKind switch
                {
                    JsonValueKind.String => setting.Value.GetString(),
                    JsonValueKind.Null => null,
                    JsonValueKind.Object or JsonValueKind.Array => throw new HostConfigurationException(
                        $"{LocalSettingsFileName} Values.{setting.Name}", "values must be strings, numbers or booleans (Core Tools reject nested objects)."),
                    _ => setting.Value.GetRawText(),
                };
            }
        }

        if (root.TryGetProperty("Host", out var host) && host.ValueKind == JsonValueKind.Object)
        {
            Flatten(host, "Host", values);
        }

        if (root.TryGetProperty("ConnectionStrings", out var connections) && connections.ValueKind == JsonValueKind.Object)
        {
            Flatten(connections, "ConnectionStrings", values);
        }
    }

    private static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new HostConfigurationException(Path.GetFileName(path), $"'{path}' is not valid JSON: {ex.Message}");
        }
    }

    private static void Flatten(JsonElement element, string prefix, Dictionary<string, string?> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, $"{prefix}:{property.Name}", values);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{prefix}:{index++}", values);
                }

                break;
            case JsonValueKind.String:
                values[prefix] = element.GetString();
                break;
            case JsonValueKind.Null:
                values[prefix] = null;
                break;
            default:
                values[prefix] = element.GetRawText();
                break;
        }
    }
}
