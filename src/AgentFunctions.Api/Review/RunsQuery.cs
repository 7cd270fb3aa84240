using AgentFunctions.Host.Approvals;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Host.Review;

/// <summary>The research runs created within <see cref="RunsQuery.Window"/>, newest first.</summary>
/// <param name="Runs">The runs, newest first by created time.</param>
/// <param name="Since">The start of the window read.</param>
/// <param name="Truncated">True when the window held more instances than <see cref="RunsQuery.MaxInstancesRead"/>.</param>
internal sealed record RecentRuns(IReadOnlyList<RunView> Runs, DateTimeOffset Since, bool Truncated);

/// <summary>
/// The pages' one way into the durable runtime: lists recent research runs and reads one run, as view models.
/// Nothing else in the pages touches the durable client, so a change of client library changes this class only.
/// </summary>
/// <remarks>
/// Neither the runtime's query API nor Azure Storage's instance table sorts by created time, so the newest
/// runs can only be found by reading the instances and sorting here. The read is bounded twice: by a created-time
/// window (a filter the storage provider applies server-side) and by a cap on instances read; the pages state both.
/// </remarks>
internal sealed class RunsQuery(DurableTaskClient client, TimeProvider time)
{
    /// <summary>How far back the runs list and the operations view look.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(7);

    /// <summary>The most instances one listing reads.</summary>
    public const int MaxInstancesRead = 5000;

    private const int PageSize = 500;

    /// <summary>The research runs created within <see cref="Window"/>, newest first.</summary>
    public async Task<RecentRuns> RecentAsync(CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow() - Window;
        var runs = new List<RunView>();
        var read = 0;
        var truncated = false;
        var query = new OrchestrationQuery { CreatedFrom = since, PageSize = PageSize, FetchInputsAndOutputs = true };
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken))
        {
            if (++read > MaxInstancesRead)
            {
                truncated = true;
                break;
            }

            if (string.Equals(instance.Name, ResearchPipelineRegistration.ResearchOrchestratorName, StringComparison.OrdinalIgnoreCase))
            {
                runs.Add(RunView.From(Record(instance)));
            }
        }

        // Ties (runs created in the same tick) fall back to the id so the order is stable between refreshes.
        runs.Sort((a, b) => b.CreatedAt != a.CreatedAt ? b.CreatedAt.CompareTo(a.CreatedAt) : string.CompareOrdinal(a.InstanceId, b.InstanceId));
        return new RecentRuns(runs, since, truncated);
    }

    /// <summary>One run with the key of its current review round, or null when it does not exist.</summary>
    public async Task<(RunView Run, string Round)?> GetAsync(string instanceId, CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
        return instance is null ? null : (RunView.From(Record(instance)), ReviewDecisionGate.RoundKey(instance));
    }

    private static RunRecord Record(OrchestrationMetadata instance) => new(
        instance.InstanceId,
        instance.RuntimeStatus.ToString(),
        instance.CreatedAt,
        instance.LastUpdatedAt,
        instance.SerializedInput,
        instance.SerializedOutput,
        instance.SerializedCustomStatus,
        instance.FailureDetails?.ErrorMessage);
}
