using System.Globalization;
using AgentFunctions.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Host.Hosting;

/// <summary>
/// Logs, at Debug level, how many storage requests of each kind the host sent in each period: the first thing to
/// look at when storage is the bottleneck. Enable with <c>Logging:LogLevel:AgentFunctions.Host.Hosting.StorageRequestReport=Debug</c>.
/// </summary>
internal sealed class StorageRequestReport(StorageAccountClient account, ILogger<StorageRequestReport> logger) : BackgroundService
{
    /// <summary>How often a line is written.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        var before = account.RequestsByKind;
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = account.RequestsByKind;
                var delta = now
                    .Select(kv => (kv.Key, Count: kv.Value - before.GetValueOrDefault(kv.Key)))
                    .Where(d => d.Count > 0)
                    .OrderByDescending(d => d.Count)
                    .ToList();
                before = now;
                var total = delta.Sum(d => d.Count);
                var kinds = string.Join(", ", delta.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Key} {d.Count}")));
                logger.LogDebug("Storage requests in the last {Seconds} s: {Total} ({PerSecond:N0}/s): {Kinds}", Period.TotalSeconds, total, total / Period.TotalSeconds, kinds);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
