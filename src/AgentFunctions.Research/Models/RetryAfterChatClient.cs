using Microsoft.Extensions.AI;
using Polly;
using Polly.Retry;

namespace AgentFunctions.Research.Models;

/// <summary>
/// Retries model calls that failed with <see cref="ModelUnavailableException"/> (throttling, 408/5xx, transport
/// errors, timeouts), a bounded number of times. It waits what the server asked for
/// (<see cref="ModelUnavailableException.RetryAfter"/>, read from <c>retry-after-ms</c> / <c>retry-after</c>) or an
/// exponential backoff, and never longer than <see cref="ModelClientOptions.MaxRetryDelay"/>: when the server asks
/// for more, the failure goes straight back to the caller, so the orchestration waits on a durable timer instead
/// of blocking a worker. Non-retryable failures (<see cref="ModelRequestException"/>) pass through untouched.
/// </summary>
/// <remarks>The SDK's own retry policy is switched off (see <see cref="ModelProviderFactory"/>) so this is the only one.</remarks>
public sealed class RetryAfterChatClient : DelegatingChatClient
{
    private static readonly TimeSpan BackoffCeiling = TimeSpan.FromSeconds(8);
    private readonly ResiliencePipeline _pipeline;
    private readonly Lock _gate = new();
    private TimeSpan _totalWaited;

    /// <summary>Creates the middleware.</summary>
    /// <param name="innerClient">The client whose failures are already classified (<see cref="ModelFailureClassifier"/>).</param>
    /// <param name="options">Retry count and longest wait.</param>
    /// <param name="timeProvider">The clock waits use; <see cref="TimeProvider.System"/> when null.</param>
    public RetryAfterChatClient(IChatClient innerClient, ModelClientOptions options, TimeProvider? timeProvider = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        MaxRetries = options.MaxRetries;
        var cap = options.MaxRetryDelay;
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider ?? TimeProvider.System };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is ModelUnavailableException unavailable && (unavailable.RetryAfter is null || unavailable.RetryAfter <= cap)),
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(500),
                MaxDelay = cap < BackoffCeiling ? cap : BackoffCeiling,
                UseJitter = false,

                // The server's own delay wins over the backoff; ShouldHandle already refused delays above the cap.
                DelayGenerator = args => ValueTask.FromResult((args.Outcome.Exception as ModelUnavailableException)?.RetryAfter),
                OnRetry = args =>
                {
                    lock (_gate)
                    {
                        _totalWaited += args.RetryDelay;
                    }

                    return ValueTask.CompletedTask;
                },
            });
        }

        _pipeline = builder.Build();
    }

    /// <summary>Retries per call.</summary>
    public int MaxRetries { get; }

    /// <summary>Total time this client has waited between attempts, across calls (for tests and diagnostics).</summary>
    public TimeSpan TotalWaited
    {
        get
        {
            lock (_gate)
            {
                return _totalWaited;
            }
        }
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Each attempt re-sends the same messages, so a lazy sequence must be read once.
        var history = messages as IReadOnlyCollection<ChatMessage> ?? messages.ToList();
        return await _pipeline.ExecuteAsync(
            async token => await base.GetResponseAsync(history, options, token), cancellationToken);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A stream cannot be replayed after part of it was handed out; agents want whole JSON replies anyway.
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }
}
