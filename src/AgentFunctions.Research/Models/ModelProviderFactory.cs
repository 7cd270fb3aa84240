using Azure.Core;
using Microsoft.Extensions.AI;

namespace AgentFunctions.Research.Models;

/// <summary>Builds the model client the agents use: Azure OpenAI when configured, the offline model otherwise.</summary>
public static class ModelProviderFactory
{
    /// <summary>Creates the provider client, unwrapped.</summary>
    /// <param name="settings">Which provider, and its endpoint, deployment and key.</param>
    /// <param name="credential">Entra ID credential when no key is set; <c>DefaultAzureCredential</c> when null.</param>
    /// <param name="timeProvider">The clock for retry waits.</param>
    /// <exception cref="InvalidOperationException">An endpoint is set but is not an absolute URI or no deployment is named.</exception>
    public static IChatClient CreateProvider(ModelProviderSettings settings, TokenCredential? credential = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.UsesOfflineModel)
        {
            return new OfflineChatClient();
        }

        if (!Uri.TryCreate(settings.Endpoint, UriKind.Absolute, out var endpoint))
        {
            throw new InvalidOperationException($"{ModelProviderSettings.EndpointKey} '{settings.Endpoint}' is not an absolute URI.");
        }

        if (settings.Deployment is null)
        {
            throw new InvalidOperationException($"{ModelProviderSettings.EndpointKey} is set but {ModelProviderSettings.DeploymentKey} is not; name the model deployment.");
        }

        return new OpenAIChatClient(
            new OpenAIChatClientOptions { Endpoint = NormalizeEndpoint(endpoint), Deployment = settings.Deployment, ApiKey = settings.ApiKey },
            credential,
            timeProvider);
    }

    /// <summary>Creates the provider client behind a circuit breaker.</summary>
    /// <param name="settings">Which provider.</param>
    /// <param name="breaker">The breaker to put in front of it.</param>
    /// <param name="credential">Entra ID credential when no key is set.</param>
    /// <param name="timeProvider">The clock for retry waits.</param>
    public static ResilientChatClient Create(
        ModelProviderSettings settings, ModelCircuitBreaker breaker, TokenCredential? credential = null, TimeProvider? timeProvider = null) =>
        new(CreateProvider(settings, credential, timeProvider), breaker);

    /// <summary>
    /// Accepts the bare resource URL (<c>https://x.openai.azure.com/</c>) as well as the v1 endpoint, since the
    /// portal shows the former; the SDK needs the latter, with a trailing slash.
    /// </summary>
    internal static Uri NormalizeEndpoint(Uri endpoint)
    {
        var text = endpoint.AbsoluteUri.TrimEnd('/');
        if (!text.EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase))
        {
            text += text.EndsWith("/openai", StringComparison.OrdinalIgnoreCase) ? "/v1" : "/openai/v1";
        }

        return new Uri(text + "/");
    }
}
