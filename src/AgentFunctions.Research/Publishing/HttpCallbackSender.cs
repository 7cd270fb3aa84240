using System.Net;
using System.Net.Http.Json;
using AgentFunctions.Durable;
using AgentFunctions.Research.Contracts;

namespace AgentFunctions.Research.Publishing;

/// <summary>POSTs the result as JSON (the orchestration output's shape) with one shared, pooled <see cref="HttpClient"/>.</summary>
public sealed class HttpCallbackSender : ICallbackSender, IDisposable
{
    /// <summary>Header carrying the run's instance id, so a receiver can de-duplicate retried deliveries.</summary>
    public const string InstanceHeader = "X-AgentFunctions-Instance";

    private readonly HttpClient _http;

    /// <summary>Creates the sender.</summary>
    /// <param name="timeout">Timeout of one POST.</param>
    public HttpCallbackSender(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), AllowAutoRedirect = false })
        {
            Timeout = timeout,
        };
    }

    /// <inheritdoc />
    public async Task SendAsync(Uri callbackUrl, string instanceId, ResearchResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callbackUrl);
        ArgumentNullException.ThrowIfNull(result);
        using var request = new HttpRequestMessage(HttpMethod.Post, callbackUrl)
        {
            Content = JsonContent.Create(result, options: DataConverter.Default.Options),
        };
        request.Headers.Add(InstanceHeader, instanceId);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            throw new CallbackDeliveryException($"POST {callbackUrl} for run '{instanceId}' failed: {ex.Message}", ex);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            if (status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
            {
                throw new CallbackDeliveryException($"POST {callbackUrl} for run '{instanceId}' answered {status}; will retry.");
            }

            throw new NonRetryableException($"POST {callbackUrl} for run '{instanceId}' answered {status}; the receiver refused the result, not retrying.");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
