using System.ClientModel;
using System.ClientModel.Primitives;
using AgentFunctions.Research.Telemetry;
using Azure.AI.OpenAI;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Research.Models;

/// <summary>
/// Builds the model client the agents use: Azure OpenAI through <see cref="AzureOpenAIClient"/> when an endpoint is
/// configured, the offline model otherwise, composed with <see cref="ChatClientBuilder"/>.
/// </summary>
/// <remarks>
/// Outermost first: OpenTelemetry (<c>gen_ai</c> spans and metrics on <see cref="ResearchTelemetry.SourceName"/>),
/// logging, the circuit breaker (<see cref="ResilientChatClient"/>), the retry (<see cref="RetryAfterChatClient"/>),
/// then the provider. The breaker sits outside the retry so it counts calls that failed after their retries, not
/// each attempt: one throttled call must not open the circuit on its own.
/// </remarks>
public static class ModelProviderFactory
{
    /// <summary>The OpenAI option that asks for strict structured output (<c>"strict": true</c> in <c>response_format</c>).</summary>
    internal const string StrictSchemaKey = "strict";

    /// <summary>Creates the provider client with its failures classified, and nothing around it.</summary>
    /// <param name="settings">Which provider, and its endpoint, deployment, key and identity.</param>
    /// <param name="options">Timeout of one HTTP attempt; defaults when null.</param>
    /// <param name="credential">Entra ID credential when no key is set; <see cref="DefaultAzureCredential"/> when null.</param>
    /// <param name="timeProvider">The clock an HTTP-date <c>retry-after</c> is measured against.</param>
    /// <exception cref="ArgumentException">A setting is malformed or missing; the message names the key.</exception>
    public static IChatClient CreateProvider(
        ModelProviderSettings settings, ModelClientOptions? options = null, TokenCredential? credential = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        options ??= new ModelClientOptions();
        options.Validate();
        var endpoint = settings.Validate();
        if (endpoint is null)
        {
            return new OfflineChatClient();
        }

        var clientOptions = new AzureOpenAIClientOptions
        {
            // Retries belong to RetryAfterChatClient, which honours retry-after within a cap and hands longer waits
            // to a durable timer; the SDK's default policy (3 retries) would multiply every attempt by four.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = options.NetworkTimeout,
        };
        var client = settings.ApiKey is { } key
            ? new AzureOpenAIClient(endpoint, new ApiKeyCredential(key), clientOptions)
            : new AzureOpenAIClient(endpoint, credential ?? DefaultCredential(settings.ClientId), clientOptions);
        return new ModelFailureClassifier(client.GetChatClient(settings.Deployment!).AsIChatClient(), endpoint, settings.Deployment!, timeProvider);
    }

    /// <summary>Creates the composed client: telemetry, logging, breaker and retry around the provider.</summary>
    /// <param name="settings">Which provider.</param>
    /// <param name="breaker">The breaker to put in front of it.</param>
    /// <param name="options">Retry bounds and timeout; defaults when null.</param>
    /// <param name="credential">Entra ID credential when no key is set; <see cref="DefaultAzureCredential"/> when null.</param>
    /// <param name="timeProvider">The clock retry waits use.</param>
    /// <param name="services">Where the logging and telemetry middleware find an <see cref="ILoggerFactory"/>; none when null.</param>
    /// <exception cref="ArgumentException">A setting is malformed or missing; the message names the key.</exception>
    public static IChatClient Create(
        ModelProviderSettings settings,
        ModelCircuitBreaker breaker,
        ModelClientOptions? options = null,
        TokenCredential? credential = null,
        TimeProvider? timeProvider = null,
        IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        options ??= new ModelClientOptions();

        // Without a logger factory the logging middleware leaves itself out rather than failing the build.
        var loggerFactory = services?.GetService(typeof(ILoggerFactory)) as ILoggerFactory ?? NullLoggerFactory.Instance;
        return new ChatClientBuilder(CreateProvider(settings, options, credential, timeProvider))
            .UseOpenTelemetry(loggerFactory, ResearchTelemetry.SourceName)
            .UseLogging(loggerFactory)
            .Use(inner => new ResilientChatClient(inner, breaker))
            .Use(inner => new RetryAfterChatClient(inner, options, timeProvider))
            .ConfigureOptions(AskForStrictSchema)
            .Build(services);
    }

    /// <summary>
    /// The agents' reply contracts are written for OpenAI's structured outputs, so a JSON schema is sent as strict:
    /// the service then guarantees the shape instead of the agents repairing it.
    /// </summary>
    private static void AskForStrictSchema(ChatOptions options)
    {
        if (options.ResponseFormat is ChatResponseFormatJson { Schema: not null })
        {
            options.AdditionalProperties ??= [];
            options.AdditionalProperties.TryAdd(StrictSchemaKey, true);
        }
    }

    /// <summary><see cref="DefaultAzureCredential"/>, with <c>AZURE_CLIENT_ID</c> from the settings naming a user-assigned identity.</summary>
    private static DefaultAzureCredential DefaultCredential(string? clientId) => clientId is null
        ? new DefaultAzureCredential()
        : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId, WorkloadIdentityClientId = clientId });
}
