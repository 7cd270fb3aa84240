using AgentFunctions.Research.Orchestration;

namespace AgentFunctions.Host.Batch;

/// <summary>
/// Starts the batch orchestration a queue message asks for, at most once per instance id: the one place the
/// queue trigger touches the durable client.
/// </summary>
public interface IBatchStarter
{
    /// <summary>
    /// Starts <paramref name="request"/> as instance <paramref name="instanceId"/> unless an instance with that id
    /// exists (running or finished), in which case nothing is started.
    /// </summary>
    /// <returns>Whether this call started it, and if not, the existing instance's runtime status.</returns>
    Task<BatchStartResult> StartAsync(string instanceId, BatchRequest request, CancellationToken cancellationToken);
}

/// <summary>What <see cref="IBatchStarter.StartAsync"/> did.</summary>
/// <param name="Started">True when this call created the instance.</param>
/// <param name="ExistingStatus">The runtime status of the instance found instead, when not started.</param>
public sealed record BatchStartResult(bool Started, string? ExistingStatus);
