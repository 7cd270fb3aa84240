using AgentFunctions.Research.Models;
using AgentFunctions.Research.Telemetry;

namespace AgentFunctions.Host.Operations;

/// <summary>The operations view's numbers: recent per-agent calls from the pipeline's recorder, and the model breaker.</summary>
public sealed class ResearchOperationsSnapshotSource(AgentStatsRecorder recorder, ModelCircuitBreaker breaker, TimeProvider time) : IOperationsSnapshotSource
{
    /// <inheritdoc />
    public Task<OperationsSnapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        var agents = recorder.Snapshot()
            .Select(s => new AgentOperations(
                s.Agent,
                (int)Math.Min(int.MaxValue, s.TotalCalls),
                TimeSpan.FromMilliseconds(s.LatencyP50Ms),
                TimeSpan.FromMilliseconds(s.LatencyP95Ms),
                TimeSpan.FromMilliseconds(s.LatencyP99Ms),
                (long)Math.Round(s.OutputTokensP50),
                s.FailureRate))
            .ToList();
        var snapshot = new OperationsSnapshot(
            time.GetUtcNow(),
            agents.Count == 0 ? 0 : agents.Max(a => a.Calls),
            agents,
            [new BreakerStatus(breaker.Name, breaker.State.ToString(), null)]);
        return Task.FromResult(snapshot);
    }
}
