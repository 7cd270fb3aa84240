using AgentFunctions.Research.Orchestration;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.DurableTask;
using AgentFunctions.Research.Contracts;

namespace AgentFunctions.Research.Publishing;

/// <summary>
/// POSTs the result as JSON (the orchestration output's shape) with one shared, pooled <see cref="HttpClient"/>,
/// under a <see cref="CallbackUrlPolicy"/>: the URL is judged as written, then every address its host resolves to is
/// judged in the connection callback, right before connecting to exactly those addresses. Checking there rather than
/// ahead of the request is what defeats DNS rebinding: there is no second lookup that could answer differently.
/// Redirects are not followed, there is no proxy, and the response body is never read.
/// </summary>
public sealed class HttpCallbackSender : ICallbackSender, IDisposable
{
    /// <summary>Header carrying the run's instance id, so a receiver can de-duplicate retried deliveries.</summary>
    public const string InstanceHeader = "X-AgentFunctions-Instance";

    private readonly HttpClient _http;
    private readonly CallbackUrlPolicy _policy;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    /// <summary>Creates the sender.</summary>
    /// <param name="timeout">Timeout of one POST, connection included.</param>
    /// <param name="policy">Which targets may be reached.</param>
    public HttpCallbackSender(TimeSpan timeout, CallbackUrlPolicy policy)
        : this(timeout, policy, Dns.GetHostAddressesAsync)
    {
    }

    /// <summary>Creates the sender with a stand-in resolver, so tests can make a public-looking name resolve anywhere.</summary>
    internal HttpCallbackSender(TimeSpan timeout, CallbackUrlPolicy policy, Func<string, CancellationToken, Task<IPAddress[]>> resolve)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(resolve);
        _policy = policy;
        _resolve = resolve;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = timeout,
            ConnectCallback = ConnectAsync,

            // A redirect would lead to a target nobody checked; the receiver must be named directly.
            AllowAutoRedirect = false,

            // Through a proxy the callback below would judge the proxy's address, and the proxy would reach the target.
            UseProxy = false,

            // The body is never read; bound what a hostile receiver can make us take in before the connection is dropped.
            MaxResponseHeadersLength = 16,
            MaxResponseDrainSize = 16 * 1024,
            ResponseDrainTimeout = TimeSpan.FromSeconds(1),
        };
        _http = new HttpClient(handler) { Timeout = timeout };
    }

    /// <inheritdoc />
    public async Task SendAsync(Uri callbackUrl, string instanceId, ResearchResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callbackUrl);
        ArgumentNullException.ThrowIfNull(result);
        var target = CallbackUrlPolicy.Describe(callbackUrl);
        _policy.EnsureAllowed(callbackUrl);
        using var request = new HttpRequestMessage(HttpMethod.Post, callbackUrl)
        {
            Content = JsonContent.Create(result, options: ResearchJson.Options),
        };
        request.Headers.Add(InstanceHeader, instanceId);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (Refusal(ex) is { } refused)
        {
            throw new CallbackUrlRefusedException($"POST {target} for run '{instanceId}' was not sent: {refused.Message}", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            throw new CallbackDeliveryException($"POST {target} for run '{instanceId}' failed: {ex.Message}", ex);
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
                throw new CallbackDeliveryException($"POST {target} for run '{instanceId}' answered {status}; will retry.");
            }

            if (status is >= 300 and < 400)
            {
                throw new NonRetryableException(
                    $"POST {target} for run '{instanceId}' answered {status} (a redirect); redirects are not followed, so callbackUrl must name the receiver itself.");
            }

            throw new NonRetryableException($"POST {target} for run '{instanceId}' answered {status}; the receiver refused the result, not retrying.");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static CallbackUrlRefusedException? Refusal(Exception ex)
    {
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is CallbackUrlRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var (host, port) = (context.DnsEndPoint.Host, context.DnsEndPoint.Port);
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await _resolve(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        // Every address, not just the first: the socket may fall through to any of them.
        foreach (var address in addresses)
        {
            if (_policy.Refusal(address) is { } refusal)
            {
                throw new CallbackUrlRefusedException($"host '{host}' resolves to {address}, {refusal}.");
            }
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
