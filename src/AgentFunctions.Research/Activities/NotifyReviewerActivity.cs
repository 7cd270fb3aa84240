using Microsoft.DurableTask;
using AgentFunctions.Research.Review;
using AgentFunctions.Research.Telemetry;

namespace AgentFunctions.Research.Activities;

/// <summary>Input of <see cref="NotifyReviewerActivity"/>.</summary>
/// <param name="Notification">What to review and by when.</param>
public sealed record NotifyReviewerInput(ReviewNotification Notification);

/// <summary>Output of <see cref="NotifyReviewerActivity"/>.</summary>
/// <param name="Notified">Always true: a failed send throws.</param>
public sealed record NotifyReviewerOutput(bool Notified);

/// <summary>Tells the reviewer a draft is waiting, through the configured <see cref="IReviewNotifier"/>.</summary>
/// <param name="notifier">The notifier.</param>
public sealed class NotifyReviewerActivity(IReviewNotifier notifier) : TaskActivity<NotifyReviewerInput, NotifyReviewerOutput>
{
    /// <inheritdoc />
    public override async Task<NotifyReviewerOutput> RunAsync(TaskActivityContext context, NotifyReviewerInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        using var span = RunTrace.StartStep("notify-reviewer", context.InstanceId);
        await notifier.NotifyAsync(input.Notification, CancellationToken.None).ConfigureAwait(false);
        return new NotifyReviewerOutput(true);
    }
}
