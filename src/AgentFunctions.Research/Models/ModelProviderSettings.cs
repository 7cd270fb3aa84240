using System.Text.RegularExpressions;

namespace AgentFunctions.Research.Models;

/// <summary>Which model provider to use, from the settings docs/configuration.md names.</summary>
/// <param name="Endpoint">The Azure OpenAI resource endpoint (<c>AZURE_OPENAI_ENDPOINT</c>); null selects the offline model.</param>
/// <param name="Deployment">The deployment name (<c>AZURE_OPENAI_DEPLOYMENT</c>).</param>
/// <param name="ApiKey">The API key (<c>AZURE_OPENAI_API_KEY</c>); null selects Entra ID through <c>DefaultAzureCredential</c>.</param>
/// <param name="ClientId">
/// The client id of a user-assigned managed identity (<c>AZURE_CLIENT_ID</c>), used by <c>DefaultAzureCredential</c>
/// when no API key is set; null uses the system-assigned identity or the developer's sign-in.
/// </param>
public sealed partial record ModelProviderSettings(string? Endpoint, string? Deployment, string? ApiKey, string? ClientId = null)
{
    /// <summary>The endpoint setting.</summary>
    public const string EndpointKey = "AZURE_OPENAI_ENDPOINT";

    /// <summary>The deployment setting.</summary>
    public const string DeploymentKey = "AZURE_OPENAI_DEPLOYMENT";

    /// <summary>The API key setting.</summary>
    public const string ApiKeyKey = "AZURE_OPENAI_API_KEY";

    /// <summary>The user-assigned identity setting, read as <c>DefaultAzureCredential</c> reads it.</summary>
    public const string ClientIdKey = "AZURE_CLIENT_ID";

    /// <summary>True when no endpoint is configured and the offline model will serve.</summary>
    public bool UsesOfflineModel => string.IsNullOrWhiteSpace(Endpoint);

    /// <summary>Reads the settings through a lookup, e.g. <c>key =&gt; configuration[key]</c>.</summary>
    /// <param name="lookup">Returns a setting's value or null.</param>
    public static ModelProviderSettings From(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        return new(Blank(lookup(EndpointKey)), Blank(lookup(DeploymentKey)), Blank(lookup(ApiKeyKey)), Blank(lookup(ClientIdKey)));
    }

    /// <summary>Reads the settings from environment variables.</summary>
    public static ModelProviderSettings FromEnvironment() => From(Environment.GetEnvironmentVariable);

    /// <summary>
    /// Checks the settings and returns the resource endpoint the Azure SDK expects. The portal's resource URL
    /// (<c>https://x.openai.azure.com/</c>) and the v1 URL (<c>.../openai/v1/</c>) both name the same resource, so
    /// a trailing <c>/openai</c> or <c>/openai/v1</c> is dropped; any other path (a gateway prefix) is kept.
    /// </summary>
    /// <returns>The resource endpoint; null for the offline model.</returns>
    /// <exception cref="ArgumentException">A value is malformed or a required one is missing; the message names the key.</exception>
    public Uri? Validate()
    {
        if (UsesOfflineModel)
        {
            return null;
        }

        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            throw Invalid(EndpointKey, $"'{Endpoint}' is not an absolute http(s) URL; use the resource URL, https://<resource>.openai.azure.com/.");
        }

        if (endpoint.Scheme == Uri.UriSchemeHttp && !endpoint.IsLoopback)
        {
            // The key or token would cross the network in clear text; plain http is for a proxy or fake on this machine.
            throw Invalid(EndpointKey, $"'{Endpoint}' is plain http to another machine; use https (http is accepted for 127.0.0.1 and localhost only).");
        }

        if (!string.IsNullOrEmpty(endpoint.Query) || !string.IsNullOrEmpty(endpoint.Fragment))
        {
            throw Invalid(EndpointKey, $"'{Endpoint}' has a query or fragment; use the resource URL, https://<resource>.openai.azure.com/.");
        }

        if (Deployment is null)
        {
            throw Invalid(DeploymentKey, $"it is required when {EndpointKey} is set; name the model deployment.");
        }

        if (!DeploymentName().IsMatch(Deployment))
        {
            throw Invalid(DeploymentKey, $"'{Deployment}' is not a deployment name (1-64 letters, digits, '-', '_' or '.').");
        }

        if (ApiKey is null && ClientId is not null && !Guid.TryParse(ClientId, out _))
        {
            throw Invalid(ClientIdKey, $"'{ClientId}' is not a client id (a GUID) of a user-assigned managed identity.");
        }

        return ResourceEndpoint(endpoint);
    }

    /// <inheritdoc />
    public override string ToString() =>
        UsesOfflineModel ? "offline model"
        : $"Azure OpenAI {Endpoint} deployment '{Deployment}' ({(ApiKey is not null ? "API key" : ClientId is not null ? $"Entra ID, identity {ClientId}" : "Entra ID")})";

    internal static Uri ResourceEndpoint(Uri endpoint)
    {
        var path = endpoint.AbsolutePath.TrimEnd('/');
        foreach (var suffix in (string[])["/openai/v1", "/openai"])
        {
            if (path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                path = path[..^suffix.Length];
                break;
            }
        }

        return new UriBuilder(endpoint) { Path = path + "/" }.Uri;
    }

    private static ArgumentException Invalid(string key, string problem) => new($"Invalid setting '{key}': {problem}");

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex DeploymentName();
}
