using Microsoft.DurableTask;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Publishing;
using AgentFunctions.Research.Telemetry;

namespace AgentFunctions.Research.Activities;

/// <summary>Input of <see cref="PublishReportActivity"/>.</summary>
/// <param name="InstanceId">The run.</param>
/// <param name="Result">The result to publish.</param>
/// <param name="PublishedAt">Orchestration time of publishing.</param>
public sealed record PublishReportInput(string InstanceId, ResearchResult Result, DateTimeOffset PublishedAt);

/// <summary>Output of <see cref="PublishReportActivity"/>.</summary>
/// <param name="Stored">Always true: a failed write throws.</param>
public sealed record PublishReportOutput(bool Stored);

/// <summary>
/// Stores the result in the <see cref="IReportStore"/>. Storing is separate from the callback
/// (<see cref="DeliverCallbackActivity"/>) and happens first, so a receiver that is down never costs the report.
/// </summary>
/// <param name="store">The report store.</param>
public sealed class PublishReportActivity(IReportStore store) : TaskActivity<PublishReportInput, PublishReportOutput>
{
    /// <inheritdoc />
    public override async Task<PublishReportOutput> RunAsync(TaskActivityContext context, PublishReportInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        using var span = RunTrace.StartStep("publish", context.InstanceId);
        await store.SaveAsync(new PublishedReport(input.InstanceId, input.Result, input.PublishedAt), CancellationToken.None).ConfigureAwait(false);
        return new PublishReportOutput(true);
    }
}
