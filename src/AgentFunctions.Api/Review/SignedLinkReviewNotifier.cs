using ReviewNotification = global::AgentFunctions.Research.Review.ReviewNotification;

namespace AgentFunctions.Host.Review;

/// <summary>
/// The pipeline's reviewer notification, answered by the host: a signed review link, logged and, when
/// configured, POSTed to the reviewer's webhook.
/// </summary>
public sealed class SignedLinkReviewNotifier(IReviewNotifier notifier) : global::AgentFunctions.Research.Review.IReviewNotifier
{
    /// <inheritdoc />
    public async Task NotifyAsync(ReviewNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        _ = await notifier.NotifyReviewerAsync(new ReviewNotice(notification.InstanceId, notification.Question, notification.DraftTitle), cancellationToken).ConfigureAwait(false);
    }
}
