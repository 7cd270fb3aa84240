using Microsoft.Extensions.AI;

namespace AgentFunctions.Research.Models;

/// <summary>
/// Puts a <see cref="ModelCircuitBreaker"/> in front of a chat client. Availability failures (outages, rate
/// limits, timeouts, transport errors) count towards opening the circuit; request failures that say nothing
/// about the service's health (credentials, content filter, bad request, caller cancellation) do not.
/// </summary>
/// <param name="innerClient">The provider client.</param>
/// <param name="breaker">The breaker; share one per provider endpoint.</param>
public sealed class ResilientChatClient(IChatClient innerClient, ModelCircuitBreaker breaker) : DelegatingChatClient(innerClient)
{
    /// <summary>The breaker guarding the inner client.</summary>
    public ModelCircuitBreaker Breaker { get; } = breaker ?? throw new ArgumentNullException(nameof(breaker));

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Breaker.EnsureCallAllowed();
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken);
            Breaker.RecordSuccess();
            return response;
        }
        catch (Exception ex) when (CountsAsOutage(ex, cancellationToken))
        {
            Breaker.RecordFailure();
            throw;
        }
        catch
        {
            Breaker.RecordNeutral();
            throw;
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The pipeline asks for whole JSON replies; streaming goes through the same breaker accounting.
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ModelCircuitBreaker) ? Breaker : base.GetService(serviceType, serviceKey);

    internal static bool CountsAsOutage(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        // Not an outage: retrying will not help, and opening the circuit would hide the real, non-retryable error.
        ModelRequestException => false,
        _ => true,
    };
}
