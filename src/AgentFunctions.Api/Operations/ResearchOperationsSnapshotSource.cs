using AgentFunctions.Research.Models;
using AgentFunctions.Research.Telemetry;

namespace AgentFunctions.Host.Operations;

/// <summary>The operations view's numbers: per-agent calls of the last hour from the pipeline's recorder, and the model breaker.</summary>
public sealed class ResearchOperationsSnapshotSource(AgentStatsRecorder recorder, ModelCircuitBreaker breaker, TimeProvider time) : IOperationsSnapshotSource
{
    /// <summary>How far back the agent figures look.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromHours(1);

    /// <inheritdoc />
    public Task<OperationsSnapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        var agents = recorder.Snapshot(Period)
            .Select(s => new AgentOperations(
                s.Agent,
                s.Samples,
                TimeSpan.FromMilliseconds(s.LatencyP50Ms),
                TimeSpan.FromMilliseconds(s.LatencyP95Ms),
                TimeSpan.FromMilliseconds(s.LatencyP99Ms),
                (long)Math.Round(s.OutputTokensP50),
                s.FailureRate))
            .ToList();
        var calls = recorder.Samples(Period).Select(s => new AgentCall(s.Agent, s.At, TimeSpan.FromMilliseconds(s.LatencyMs))).ToList();
        var snapshot = new OperationsSnapshot(
            time.GetUtcNow(),
            Period,
            recorder.Capacity,
            agents,
            [new BreakerStatus(breaker.Name, breaker.State.ToString(), null)])
        {
            Calls = calls,
        };
        return Task.FromResult(snapshot);
    }
}
