using AgentFunctions.Durable;

namespace AgentFunctions.Host.Review;

/// <summary>
/// The activity a research orchestrator calls, by <see cref="Name"/>, once it awaits a decision: it hands the
/// notice to <see cref="IReviewNotifier"/> and returns the signed review link it sent. Notifications may be
/// repeated (activities run at least once); receivers de-duplicate by the delivery id.
/// </summary>
public sealed class NotifyReviewerActivity(IReviewNotifier notifier) : TaskActivity<ReviewNotice, string>
{
    /// <summary>The registered activity name.</summary>
    public const string Name = "NotifyReviewer";

    /// <inheritdoc />
    public override async Task<string> RunAsync(TaskActivityContext context, ReviewNotice input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var link = await notifier.NotifyReviewerAsync(input, CancellationToken.None);
        return link.ToString();
    }
}
