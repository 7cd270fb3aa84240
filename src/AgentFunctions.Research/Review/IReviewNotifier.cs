namespace AgentFunctions.Research.Review;

/// <summary>Tells a reviewer that a draft awaits their decision.</summary>
public interface IReviewNotifier
{
    /// <summary>Sends the notification. Throwing makes the pipeline retry a few times, then wait for a decision anyway.</summary>
    /// <param name="notification">What to review and by when.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    Task NotifyAsync(ReviewNotification notification, CancellationToken cancellationToken);
}

/// <summary>A draft put up for review.</summary>
/// <param name="InstanceId">The research run awaiting the decision (the id the decision is raised on).</param>
/// <param name="Question">The research question.</param>
/// <param name="DraftTitle">The draft's title.</param>
/// <param name="DraftSummary">The draft's summary, with its [n] markers.</param>
/// <param name="Revision">0 for the first draft, n for the n-th revision.</param>
/// <param name="DecideBy">When the run stops waiting and ends as timed out.</param>
public sealed record ReviewNotification(string InstanceId, string Question, string DraftTitle, string DraftSummary, int Revision, DateTimeOffset DecideBy);
