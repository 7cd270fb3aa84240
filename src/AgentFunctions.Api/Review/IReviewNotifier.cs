namespace AgentFunctions.Host.Review;

/// <summary>
/// Tells a reviewer that a run awaits a decision. The research pipeline's NotifyReviewer activity calls it
/// once the draft is in the custom status; it must be safe to call more than once for one instance
/// (activities run at least once).
/// </summary>
public interface IReviewNotifier
{
    /// <summary>Logs the signed review link and, when configured, POSTs a signed notification.</summary>
    /// <returns>The signed review link that was sent.</returns>
    Task<Uri> NotifyReviewerAsync(ReviewNotice notice, CancellationToken cancellationToken);
}

/// <summary>What a reviewer is told about a pending run.</summary>
/// <param name="InstanceId">The research instance awaiting a decision.</param>
/// <param name="Question">The question researched.</param>
/// <param name="DraftTitle">The draft report's title, when known.</param>
public sealed record ReviewNotice(string InstanceId, string Question, string? DraftTitle);
