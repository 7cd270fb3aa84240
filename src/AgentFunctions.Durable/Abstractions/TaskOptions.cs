namespace AgentFunctions.Durable;

/// <summary>Options for scheduling an activity or sub-orchestration.</summary>
public record TaskOptions
{
    /// <summary>Creates options, optionally with a retry policy.</summary>
    public TaskOptions(RetryPolicy? retry = null) => Retry = retry;

    /// <summary>The retry policy, or null for a single attempt.</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>Options with the given retry policy.</summary>
    public static TaskOptions FromRetryPolicy(RetryPolicy policy) => new(policy);
}

/// <summary>Options for scheduling a sub-orchestration.</summary>
public sealed record SubOrchestrationOptions : TaskOptions
{
    /// <summary>Creates options.</summary>
    public SubOrchestrationOptions(string? instanceId = null, RetryPolicy? retry = null)
        : base(retry) => InstanceId = instanceId;

    /// <summary>The child's instance id; null derives one deterministically from the parent's id and step.</summary>
    public string? InstanceId { get; init; }
}

/// <summary>Options for starting a new orchestration instance from a client.</summary>
/// <param name="InstanceId">The instance id to use; null generates a new one.</param>
/// <param name="StartAt">Delay the first episode until this time; null starts at once.</param>
public sealed record StartOrchestrationOptions(string? InstanceId = null, DateTimeOffset? StartAt = null);
