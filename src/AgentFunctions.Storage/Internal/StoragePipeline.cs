using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Xml.Linq;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AgentFunctions.Storage.Internal;

/// <summary>
/// Sends storage requests over one pooled <see cref="HttpClient"/>: stamps version and date, authorizes,
/// bounds the requests in flight, retries transient failures within the configured window and turns error
/// responses into <see cref="StorageRequestFailedException"/>.
/// </summary>
internal sealed class StoragePipeline : IDisposable
{
    /// <summary>The REST API version every request asks for.</summary>
    public const string ServiceVersion = "2025-01-05";

    private static readonly ResiliencePropertyKey<long> _startedKey = new("agentfunctions.storage.started");

    private readonly HttpClient _http;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _requestsByKind = new(StringComparer.Ordinal);
    private long _requestsSent;
    private readonly IRequestAuthorizer _authorizer;
    private readonly SemaphoreSlim _inFlight;
    private readonly SemaphoreSlim _backgroundDone = new(0, int.MaxValue);
    private int _backgroundActive;
    private int _foregroundActive;
    private long _lastForegroundTimestamp;
    private readonly ResiliencePipeline<StorageResponse> _resilience;
    private readonly TimeProvider _timeProvider;

    public StoragePipeline(IRequestAuthorizer authorizer, StorageClientOptions options, TimeProvider timeProvider, HttpMessageHandler? handler = null)
    {
        options.Validate();
        Options = options;
        _authorizer = authorizer;
        _timeProvider = timeProvider;
        _inFlight = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        _lastForegroundTimestamp = timeProvider.GetTimestamp() - (long)(options.ForegroundQuietPeriod.TotalSeconds * timeProvider.TimestampFrequency) - 1;
        handler ??= new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = options.PooledConnectionIdleTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = options.MaxInFlight,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.ExpectContinue = false;

        var window = options.RetryWindow;
        _resilience = new ResiliencePipelineBuilder<StorageResponse> { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions<StorageResponse>
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.FirstRetryDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    IsTransient(args.Outcome) && Elapsed(args.Context) < window),
            })
            .AddTimeout(options.TryTimeout)
            .Build();
    }

    public StorageClientOptions Options { get; }

    private static string KindOf(StorageRequest request)
    {
        var path = request.Uri.AbsolutePath;
        var what = path.EndsWith("/messages", StringComparison.Ordinal) ? "messages"
            : path.Contains("/messages/", StringComparison.Ordinal) ? "message"
            : path.EndsWith("/$batch", StringComparison.Ordinal) ? "$batch"
            : request.Uri.Query.Contains("comp=lease", StringComparison.Ordinal) ? "lease"
            : "";
        return $"{request.Service} {request.Method} {what}".TrimEnd();
    }

    /// <summary>Requests sent through this pipeline (retries of one request count once).</summary>
    public long RequestsSent => Interlocked.Read(ref _requestsSent);

    /// <summary>Requests sent so far by kind ("Queue DELETE message", "Table POST $batch", ...).</summary>
    public IReadOnlyDictionary<string, long> RequestsByKind => new Dictionary<string, long>(_requestsByKind, StringComparer.Ordinal);

    /// <summary>Sends a request and throws <see cref="StorageRequestFailedException"/> unless it succeeded.</summary>
    public async Task<StorageResponse> SendAsync(StorageRequest request, CancellationToken cancellationToken)
    {
        var response = await SendRawAsync(request, cancellationToken);
        ThrowIfFailed(request, response);
        return response;
    }

    /// <summary>Sends a request and returns whatever status it ended with (after retries).</summary>
    public async Task<StorageResponse> SendRawAsync(StorageRequest request, CancellationToken cancellationToken)
    {
        var level = StorageRequestPriority.Current;
        if (level == StorageRequestPriority.Level.Upkeep)
        {
            return await SendRawCoreAsync(request, cancellationToken);
        }

        if (level == StorageRequestPriority.Level.Foreground)
        {
            Interlocked.Increment(ref _foregroundActive);
            try
            {
                return await SendRawCoreAsync(request, cancellationToken);
            }
            finally
            {
                Volatile.Write(ref _lastForegroundTimestamp, _timeProvider.GetTimestamp());
                Interlocked.Decrement(ref _foregroundActive);
            }
        }

        await EnterBackgroundAsync(cancellationToken);
        try
        {
            return await SendRawCoreAsync(request, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _backgroundActive);
            _backgroundDone.Release();
        }
    }

    /// <summary>
    /// Waits for a background slot: MaxBackgroundInFlight of them while no client is waiting on storage, and
    /// only MaxBackgroundInFlightWhileForeground while one is or was within ForegroundQuietPeriod, so the
    /// service's queue ahead of a client's request stays short.
    /// </summary>
    private async Task EnterBackgroundAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var foreground = Volatile.Read(ref _foregroundActive) > 0
                || _timeProvider.GetElapsedTime(Volatile.Read(ref _lastForegroundTimestamp)) < Options.ForegroundQuietPeriod;
            var limit = foreground ? Options.MaxBackgroundInFlightWhileForeground : Options.MaxBackgroundInFlight;
            var active = Volatile.Read(ref _backgroundActive);
            if (active < limit)
            {
                if (Interlocked.CompareExchange(ref _backgroundActive, active + 1, active) == active)
                {
                    return;
                }

                continue;
            }

            // Woken by a finished background request, or re-checks when the foreground may have gone quiet.
            await _backgroundDone.WaitAsync(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    private async Task<StorageResponse> SendRawCoreAsync(StorageRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requestsSent);
        _requestsByKind.AddOrUpdate(KindOf(request), 1, static (_, n) => n + 1);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(_startedKey, _timeProvider.GetTimestamp());
        var state = new AttemptState(this, request);
        try
        {
            return await _resilience.ExecuteAsync(
                static (ctx, s) => s.Pipeline.SendOnceAsync(s, ctx.CancellationToken), context, state);
        }
        catch (Exception ex) when (IsTransientException(ex) && !cancellationToken.IsCancellationRequested)
        {
            var seconds = Elapsed(context).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
            var reason = ex is TimeoutRejectedException ? $"no response within {Options.TryTimeout}" : ex.Message;
            throw new StorageRequestFailedException(
                $"{request.Method} {request.Resource} got no response after {state.Attempts} attempt(s) over {seconds} s: {reason}",
                0, null, ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Throws the exception describing a failed response; does nothing for a success.</summary>
    public static void ThrowIfFailed(StorageRequest request, StorageResponse response)
    {
        if (!response.IsSuccess)
        {
            throw CreateException(request, response);
        }
    }

    public static StorageRequestFailedException CreateException(StorageRequest request, StorageResponse response, int? failedActionIndex = null)
    {
        var (code, detail) = ParseError(response.Body);
        code = response.Header("x-ms-error-code") ?? code;
        var message = $"{request.Method} {request.Resource} failed with status {response.Status}"
            + (code is null ? string.Empty : $" ({code})")
            + (detail is null ? "." : $": {detail}");
        return new StorageRequestFailedException(message, response.Status, code) { FailedActionIndex = failedActionIndex };
    }

    public void Dispose()
    {
        _http.Dispose();
        _inFlight.Dispose();
        _backgroundDone.Dispose();
        (_authorizer as IDisposable)?.Dispose();
    }

    /// <summary>Reads the error code and the first line of the message from an XML or JSON error body.</summary>
    internal static (string? Code, string? Message) ParseError(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, null);
        }

        try
        {
            var first = body.TrimStart(" \r\n\t\uFEFF"u8);
            if (!first.IsEmpty && first[0] == (byte)'{')
            {
                using var json = JsonDocument.Parse(body.ToArray());
                if (json.RootElement.TryGetProperty("odata.error", out var error))
                {
                    var code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
                    var text = error.TryGetProperty("message", out var m)
                        ? (m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.GetString())
                        : null;
                    return (code, FirstLine(text));
                }

                return (null, null);
            }

            var xml = XDocument.Parse(System.Text.Encoding.UTF8.GetString(first));
            return (xml.Root?.Element("Code")?.Value, FirstLine(xml.Root?.Element("Message")?.Value));
        }
        catch (Exception ex) when (ex is JsonException or System.Xml.XmlException or InvalidOperationException)
        {
            return (null, null);
        }
    }

    private static string? FirstLine(string? text) =>
        text is null ? null : text.Split('\n', 2)[0].Trim();

    private TimeSpan Elapsed(ResilienceContext context) =>
        _timeProvider.GetElapsedTime(context.Properties.GetValue(_startedKey, _timeProvider.GetTimestamp()));

    private static bool IsTransient(Outcome<StorageResponse> outcome) =>
        outcome.Exception is { } ex
            ? IsTransientException(ex)
            : outcome.Result?.Status is 408 or 500 or 502 or 503 or 504;

    private static bool IsTransientException(Exception ex) =>
        ex is HttpRequestException or TimeoutRejectedException or IOException;

    private async ValueTask<StorageResponse> SendOnceAsync(AttemptState state, CancellationToken cancellationToken)
    {
        var request = state.Request;
        Interlocked.Increment(ref state.Attempts);
        using var message = new HttpRequestMessage(request.Method, _authorizer.PrepareUri(request.Uri));
        if (!request.Content.IsEmpty || request.Method == HttpMethod.Put || request.Method == HttpMethod.Post)
        {
            message.Content = new ReadOnlyMemoryContent(request.Content);
            if (request.ContentType is not null)
            {
                message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType);
            }
        }

        message.Headers.TryAddWithoutValidation("x-ms-version", ServiceVersion);
        message.Headers.TryAddWithoutValidation("x-ms-date", _timeProvider.GetUtcNow().ToString("R", CultureInfo.InvariantCulture));
        foreach (var (name, value) in request.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        await _authorizer.AuthorizeAsync(message, request.Service, cancellationToken);

        await _inFlight.WaitAsync(cancellationToken);
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return StorageResponse.From(response, body);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private sealed class AttemptState(StoragePipeline pipeline, StorageRequest request)
    {
        public int Attempts;

        public StoragePipeline Pipeline { get; } = pipeline;

        public StorageRequest Request { get; } = request;
    }
}
