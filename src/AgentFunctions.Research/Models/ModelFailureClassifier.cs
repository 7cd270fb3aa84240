using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using Azure.Identity;
using Microsoft.Extensions.AI;

namespace AgentFunctions.Research.Models;

/// <summary>
/// Turns the Azure OpenAI SDK's failures into the two the pipeline acts on: <see cref="ModelUnavailableException"/>
/// (retryable: throttling, 408/5xx, transport errors, timeouts; with the server's <c>retry-after</c>) and
/// <see cref="ModelRequestException"/> (not retryable: credentials, content filter, bad request). A completion the
/// content filter stopped, or one the model refused, is a <see cref="ModelRequestFailure.ContentFilter"/> failure
/// rather than an empty reply. Messages name the endpoint and deployment, never the key.
/// </summary>
/// <param name="innerClient">The SDK's chat client (<c>AsIChatClient()</c>).</param>
/// <param name="endpoint">The resource endpoint, for messages.</param>
/// <param name="deployment">The deployment, for messages.</param>
/// <param name="timeProvider">The clock an HTTP-date <c>retry-after</c> is measured against.</param>
public sealed class ModelFailureClassifier(IChatClient innerClient, Uri endpoint, string deployment, TimeProvider? timeProvider = null)
    : DelegatingChatClient(innerClient)
{
    private readonly string _where = $"Azure OpenAI at {endpoint} (deployment '{deployment}')";
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (ClientResultException ex)
        {
            throw Classify(ex);
        }
        catch (AuthenticationFailedException ex)
        {
            throw new ModelRequestException(
                ModelRequestFailure.Authentication,
                $"{_where}: no Entra ID token could be had ({ex.Message}). Set {ModelProviderSettings.ApiKeyKey}, sign in with 'az login', or give the host a managed identity ({ModelProviderSettings.ClientIdKey} names a user-assigned one) with the 'Cognitive Services OpenAI User' role.",
                null,
                ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ModelUnavailableException($"{_where} could not be reached: {ex.Message}", null, ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ModelUnavailableException($"{_where} did not answer in time.", null, ex);
        }

        if (response.FinishReason == ChatFinishReason.ContentFilter)
        {
            throw new ModelRequestException(ModelRequestFailure.ContentFilter, $"{_where}: the content filter blocked the completion.", 200);
        }

        if (response.Messages.SelectMany(m => m.Contents).OfType<ErrorContent>().FirstOrDefault(e => e.ErrorCode == "Refusal") is { } refusal)
        {
            throw new ModelRequestException(ModelRequestFailure.ContentFilter, $"{_where}: the model refused the request: {refusal.Message}", 200);
        }

        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Agents need the whole JSON reply before they can validate it; one classified call serves streaming too.
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    /// <summary>The delay a response asks for: <c>retry-after-ms</c> (or <c>x-ms-retry-after-ms</c>) first, then <c>retry-after</c> in seconds or as an HTTP date.</summary>
    internal static TimeSpan? ServerDelay(PipelineResponseHeaders headers, DateTimeOffset now)
    {
        if (headers.TryGetValue("retry-after-ms", out var ms) || headers.TryGetValue("x-ms-retry-after-ms", out ms))
        {
            if (double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
            {
                return TimeSpan.FromMilliseconds(millis);
            }
        }

        if (headers.TryGetValue("retry-after", out var value) && value is not null)
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                return at > now ? at - now : TimeSpan.Zero;
            }
        }

        return null;
    }

    private Exception Classify(ClientResultException ex)
    {
        var response = ex.GetRawResponse();
        var retryAfter = response is null ? null : ServerDelay(response.Headers, _time.GetUtcNow());
        switch (ex.Status)
        {
            case 401 or 403:
                return new ModelRequestException(
                    ModelRequestFailure.Authentication,
                    $"{_where} rejected the credentials with HTTP {ex.Status}. Check {ModelProviderSettings.ApiKeyKey}, or that the Entra ID identity has the 'Cognitive Services OpenAI User' role on the resource.",
                    ex.Status,
                    ex);
            case 429:
                return new ModelUnavailableException(
                    $"{_where} is throttling requests (HTTP 429); retry after {retryAfter?.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) ?? "a while"} s.",
                    retryAfter,
                    ex);
            case 400 when IsContentFilter(response):
                return new ModelRequestException(
                    ModelRequestFailure.ContentFilter, $"{_where}: the content filter blocked the prompt (HTTP 400).", 400, ex);
            case 400 or 404 or 422:
                return new ModelRequestException(
                    ModelRequestFailure.InvalidRequest, $"{_where} rejected the request with HTTP {ex.Status}: {ex.Message}", ex.Status, ex);
            case 0:
                return new ModelUnavailableException($"{_where} could not be reached: {ex.Message}", null, ex);
            case 408 or >= 500:
                return new ModelUnavailableException($"{_where} failed with HTTP {ex.Status}.", retryAfter, ex);
            default:
                return new ModelRequestException(
                    ModelRequestFailure.InvalidRequest, $"{_where} answered HTTP {ex.Status}: {ex.Message}", ex.Status, ex);
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
