using System.ClientModel.Primitives;
using System.Globalization;

namespace AgentFunctions.Research.Models;

/// <summary>
/// The SDK retry policy, bounded: retries 408/429/5xx and transport errors up to a count, waits what the
/// server asks (<c>retry-after-ms</c>, then <c>retry-after</c> in seconds or as an HTTP date) or an
/// exponential backoff, and never waits longer than a cap. When the server asks for more than the cap the
/// policy stops retrying, so the caller can turn the 429 into a durable wait instead of blocking a worker.
/// </summary>
internal sealed class RetryAfterPolicy : ClientRetryPolicy
{
    private readonly TimeSpan _maxDelay;
    private readonly TimeProvider _time;

    public RetryAfterPolicy(int maxRetries, TimeSpan maxDelay, TimeProvider? timeProvider = null)
        : base(maxRetries)
    {
        _maxDelay = maxDelay;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Total time this policy has spent waiting, across calls (for tests and diagnostics).</summary>
    public TimeSpan TotalWaited { get; private set; }

    protected override bool ShouldRetry(PipelineMessage message, Exception? exception) =>
        base.ShouldRetry(message, exception) && WithinCap(message);

    protected override async ValueTask<bool> ShouldRetryAsync(PipelineMessage message, Exception? exception) =>
        await base.ShouldRetryAsync(message, exception) && WithinCap(message);

    protected override TimeSpan GetNextDelay(PipelineMessage message, int tryCount)
    {
        var server = message.Response is null ? null : ServerDelay(message.Response.Headers, _time.GetUtcNow());
        var delay = server ?? TimeSpan.FromMilliseconds(Math.Min(8000, 500 * Math.Pow(2, Math.Max(0, tryCount - 1))));
        return delay > _maxDelay ? _maxDelay : delay;
    }

    protected override async Task WaitAsync(TimeSpan time, CancellationToken cancellationToken)
    {
        TotalWaited += time;
        await Task.Delay(time, _time, cancellationToken);
    }

    protected override void Wait(TimeSpan time, CancellationToken cancellationToken) =>
        WaitAsync(time, cancellationToken).GetAwaiter().GetResult();

    /// <summary>The delay a response asks for: <c>retry-after-ms</c> first, then <c>retry-after</c>.</summary>
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

    private bool WithinCap(PipelineMessage message)
    {
        var server = message.Response is null ? null : ServerDelay(message.Response.Headers, _time.GetUtcNow());
        return server is null || server <= _maxDelay;
    }
}
