using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Research.Review;

/// <summary>The default notifier: logs that a draft awaits review. Hosts replace it with one that sends a signed link.</summary>
/// <param name="logger">Where the notice goes.</param>
public sealed class LoggingReviewNotifier(ILogger<LoggingReviewNotifier>? logger = null) : IReviewNotifier
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <inheritdoc />
    public Task NotifyAsync(ReviewNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        _logger.LogInformation(
            "Research run {InstanceId} awaits review (revision {Revision}, decide by {DecideBy:O}): \"{Title}\" for question \"{Question}\"",
            notification.InstanceId, notification.Revision, notification.DecideBy, notification.DraftTitle, notification.Question);
        return Task.CompletedTask;
    }
}
