namespace AgentFunctions.Durable;

/// <summary>What an activity knows about the call it is serving.</summary>
public abstract class TaskActivityContext
{
    /// <summary>The activity's registered name.</summary>
    public abstract string Name { get; }

    /// <summary>The orchestration instance that scheduled the activity.</summary>
    public abstract string InstanceId { get; }

    /// <summary>The scheduling step's sequence id; with the instance id, a natural idempotency key.</summary>
    public abstract int TaskId { get; }
}
