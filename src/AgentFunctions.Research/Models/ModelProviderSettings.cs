namespace AgentFunctions.Research.Models;

/// <summary>Which model provider to use, from the settings DESIGN.md names.</summary>
/// <param name="Endpoint">The Azure OpenAI v1 endpoint (<c>AZURE_OPENAI_ENDPOINT</c>); null selects the offline model.</param>
/// <param name="Deployment">The deployment name (<c>AZURE_OPENAI_DEPLOYMENT</c>).</param>
/// <param name="ApiKey">The API key (<c>AZURE_OPENAI_API_KEY</c>); null selects Entra ID.</param>
public sealed record ModelProviderSettings(string? Endpoint, string? Deployment, string? ApiKey)
{
    /// <summary>The endpoint setting.</summary>
    public const string EndpointKey = "AZURE_OPENAI_ENDPOINT";

    /// <summary>The deployment setting.</summary>
    public const string DeploymentKey = "AZURE_OPENAI_DEPLOYMENT";

    /// <summary>The API key setting.</summary>
    public const string ApiKeyKey = "AZURE_OPENAI_API_KEY";

    /// <summary>True when no endpoint is configured and the offline model will serve.</summary>
    public bool UsesOfflineModel => string.IsNullOrWhiteSpace(Endpoint);

    /// <summary>Reads the settings through a lookup, e.g. <c>key =&gt; configuration[key]</c>.</summary>
    /// <param name="lookup">Returns a setting's value or null.</param>
    public static ModelProviderSettings From(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        return new(Blank(lookup(EndpointKey)), Blank(lookup(DeploymentKey)), Blank(lookup(ApiKeyKey)));
    }

    /// <summary>Reads the settings from environment variables.</summary>
    public static ModelProviderSettings FromEnvironment() => From(Environment.GetEnvironmentVariable);

    /// <inheritdoc />
    public override string ToString() =>
        UsesOfflineModel ? "offline model" : $"Azure OpenAI {Endpoint} deployment '{Deployment}' ({(ApiKey is null ? "Entra ID" : "API key")})";

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
