using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;
using AIFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using AIResponseFormat = Microsoft.Extensions.AI.ChatResponseFormat;
using SdkChatMessage = OpenAI.Chat.ChatMessage;
using SdkFinishReason = OpenAI.Chat.ChatFinishReason;
using SdkResponseFormat = OpenAI.Chat.ChatResponseFormat;

namespace AgentFunctions.Research.Models;

/// <summary>
/// <see cref="IChatClient"/> over the OpenAI 2.x SDK against the Azure OpenAI v1 endpoint, authenticated with an
/// API key or an Entra ID token. Throttling and transient failures are retried within bounds
/// (<see cref="OpenAIChatClientOptions"/>); what remains surfaces as <see cref="ModelUnavailableException"/>
/// (retryable, with the server's delay) or <see cref="ModelRequestException"/> (not retryable: credentials,
/// content filter, bad request). A reply cut off at the output cap comes back with
/// <see cref="AIFinishReason.Length"/> so agents can repair or fail.
/// </summary>
public sealed class OpenAIChatClient : IChatClient
{
    /// <summary>The Entra ID scope of Azure OpenAI.</summary>
    public const string CognitiveServicesScope = "https://cognitiveservices.azure.com/.default";

    private readonly ChatClient _client;
    private readonly Uri _endpoint;
    private readonly string _deployment;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates the client.</summary>
    /// <param name="options">Endpoint, deployment, key and retry bounds.</param>
    /// <param name="credential">The Entra ID credential used when no API key is set; <see cref="DefaultAzureCredential"/> when null.</param>
    /// <param name="timeProvider">The clock retry waits use; <see cref="TimeProvider.System"/> when null.</param>
    public OpenAIChatClient(OpenAIChatClientOptions options, TokenCredential? credential = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Deployment);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries);
        _endpoint = options.Endpoint;
        _deployment = options.Deployment;
        RetryPolicy = new RetryAfterPolicy(options.MaxRetries, options.MaxRetryDelay, timeProvider);
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = options.Endpoint,
            RetryPolicy = RetryPolicy,
            NetworkTimeout = options.NetworkTimeout,
        };
        // OPENAI001: the AuthenticationPolicy constructor is marked experimental, but it is the SDK's documented
        // way to use Entra ID tokens against the Azure OpenAI v1 endpoint; there is no stable alternative.
#pragma warning disable OPENAI001
        _client = string.IsNullOrEmpty(options.ApiKey)
            ? new ChatClient(options.Deployment, new BearerTokenPolicy(credential ?? new DefaultAzureCredential(), CognitiveServicesScope), clientOptions)
            : new ChatClient(options.Deployment, new ApiKeyCredential(options.ApiKey), clientOptions);
#pragma warning restore OPENAI001
        _metadata = new ChatClientMetadata("azure.ai.openai", options.Endpoint, options.Deployment);
    }

    internal RetryAfterPolicy RetryPolicy { get; }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var sdkMessages = messages.Select(ToSdk).ToList();
        var sdkOptions = ToSdk(options);
        ChatCompletion completion;
        try
        {
            ClientResult<ChatCompletion> result = await _client.CompleteChatAsync(sdkMessages, sdkOptions, cancellationToken);
            completion = result.Value;
        }
        catch (ClientResultException ex)
        {
            throw Translate(ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ModelUnavailableException($"Azure OpenAI at {_endpoint} did not answer in time (deployment '{_deployment}').", null, ex);
        }

        if (completion.FinishReason == SdkFinishReason.ContentFilter)
        {
            throw new ModelRequestException(
                ModelRequestFailure.ContentFilter,
                $"Azure OpenAI's content filter blocked the completion of deployment '{_deployment}'.",
                200);
        }

        if (!string.IsNullOrEmpty(completion.Refusal))
        {
            throw new ModelRequestException(
                ModelRequestFailure.ContentFilter, $"The model refused the request: {completion.Refusal}", 200);
        }

        var text = string.Concat(completion.Content.Where(part => part.Kind == ChatMessageContentPartKind.Text).Select(part => part.Text));
        return new ChatResponse(new AIChatMessage(AIChatRole.Assistant, text))
        {
            ResponseId = completion.Id,
            ModelId = completion.Model,
            CreatedAt = completion.CreatedAt,
            FinishReason = completion.FinishReason switch
            {
                SdkFinishReason.Stop => AIFinishReason.Stop,
                SdkFinishReason.Length => AIFinishReason.Length,
                SdkFinishReason.ToolCalls or SdkFinishReason.FunctionCall => AIFinishReason.ToolCalls,
                _ => null,
            },
            Usage = completion.Usage is null ? null : new UsageDetails
            {
                InputTokenCount = completion.Usage.InputTokenCount,
                OutputTokenCount = completion.Usage.OutputTokenCount,
                TotalTokenCount = completion.Usage.TotalTokenCount,
            },
            RawRepresentation = completion,
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AIChatMessage> messages,
        ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Agents need the whole JSON reply before they can validate it, so streaming buys nothing here.
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType == typeof(ChatClient) ? _client
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // The SDK client owns a shared HttpClient pipeline and is not disposable.
    }

    private static SdkChatMessage ToSdk(AIChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Role == AIChatRole.System)
        {
            return new SystemChatMessage(message.Text);
        }

        if (message.Role == AIChatRole.User)
        {
            return new UserChatMessage(message.Text);
        }

        if (message.Role == AIChatRole.Assistant)
        {
            return new AssistantChatMessage(message.Text);
        }

        throw new ArgumentException($"Chat role '{message.Role}' is not supported by this client.", nameof(message));
    }

    private ChatCompletionOptions ToSdk(ChatOptions? options)
    {
        var sdk = new ChatCompletionOptions();
        if (options is null)
        {
            return sdk;
        }

        sdk.Temperature = options.Temperature;
        sdk.MaxOutputTokenCount = options.MaxOutputTokens;
        sdk.ResponseFormat = options.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: { } schema } json => SdkResponseFormat.CreateJsonSchemaFormat(
                json.SchemaName ?? "reply", BinaryData.FromString(schema.GetRawText()), json.SchemaDescription, jsonSchemaIsStrict: true),
            ChatResponseFormatJson => SdkResponseFormat.CreateJsonObjectFormat(),
            ChatResponseFormatText => SdkResponseFormat.CreateTextFormat(),
            _ => null,
        };
        if (options.ModelId is { Length: > 0 } model && model != _deployment)
        {
            throw new ArgumentException($"This client serves deployment '{_deployment}', not '{model}'.", nameof(options));
        }

        return sdk;
    }

    private Exception Translate(ClientResultException ex)
    {
        var response = ex.GetRawResponse();
        var retryAfter = response is null ? null : RetryAfterPolicy.ServerDelay(response.Headers, DateTimeOffset.UtcNow);
        var where = $"Azure OpenAI at {_endpoint} (deployment '{_deployment}')";
        switch (ex.Status)
        {
            case 401 or 403:
                return new ModelRequestException(
                    ModelRequestFailure.Authentication,
                    $"{where} rejected the credentials with HTTP {ex.Status}. Check AZURE_OPENAI_API_KEY, or that the Entra ID identity has the 'Cognitive Services OpenAI User' role on the resource.",
                    ex.Status,
                    ex);
            case 429:
                return new ModelUnavailableException(
                    $"{where} is throttling requests (HTTP 429) beyond the in-process retry budget; retry after {retryAfter?.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) ?? "a while"} s.",
                    retryAfter,
                    ex);
            case 400 when IsContentFilter(response):
                return new ModelRequestException(
                    ModelRequestFailure.ContentFilter, $"{where}: the content filter blocked the prompt (HTTP 400).", 400, ex);
            case 400 or 404 or 422:
                return new ModelRequestException(
                    ModelRequestFailure.InvalidRequest, $"{where} rejected the request with HTTP {ex.Status}: {ex.Message}", ex.Status, ex);
            default:
                return new ModelUnavailableException(
                    ex.Status == 0 ? $"{where} could not be reached: {ex.Message}" : $"{where} failed with HTTP {ex.Status} after retries.",
                    retryAfter,
                    ex);
        }
    }

    private static bool IsContentFilter(PipelineResponse? response)
    {
        if (response is null)
        {
            return false;
        }

        try
        {
            var body = response.Content.ToString();
            return body.Contains("content_filter", StringComparison.OrdinalIgnoreCase)
                || body.Contains("ResponsibleAIPolicyViolation", StringComparison.OrdinalIgnoreCase);
        }
        catch (InvalidOperationException)
        {
            return false; // the body was streamed and is gone
        }
    }
}
