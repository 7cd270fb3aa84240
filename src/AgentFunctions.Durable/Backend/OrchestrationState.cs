namespace AgentFunctions.Durable.Backend;

/// <summary>
/// The stored status row of one orchestration instance: what status queries read without touching history.
/// </summary>
/// <param name="InstanceId">The instance id.</param>
/// <param name="Name">The orchestrator name.</param>
/// <param name="ExecutionId">The current execution (changes on ContinueAsNew).</param>
/// <param name="RuntimeStatus">Lifecycle status.</param>
/// <param name="CreatedAt">When the instance was scheduled.</param>
/// <param name="LastUpdatedAt">When the row last changed.</param>
/// <param name="CompletedAt">When it reached a terminal status.</param>
/// <param name="Input">Serialized input of the current execution.</param>
/// <param name="Output">Serialized output (or terminate reason).</param>
/// <param name="CustomStatus">Serialized custom status.</param>
/// <param name="FailureDetails">Why it failed, when it did.</param>
/// <param name="ParentInstanceId">The parent, for a sub-orchestration.</param>
public sealed record OrchestrationState(
    string InstanceId,
    string Name,
    string ExecutionId,
    OrchestrationRuntimeStatus RuntimeStatus,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    DateTimeOffset? CompletedAt = null,
    string? Input = null,
    string? Output = null,
    string? CustomStatus = null,
    TaskFailureDetails? FailureDetails = null,
    string? ParentInstanceId = null);
