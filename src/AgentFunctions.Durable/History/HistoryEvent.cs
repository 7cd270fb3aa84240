using System.Text.Json.Serialization;

namespace AgentFunctions.Durable.History;

/// <summary>
/// One entry of an orchestration's event-sourced history. Events that answer a scheduling step carry the
/// step's sequence id (<c>TaskScheduledId</c>/<c>TimerId</c>); scheduling events carry it as <see cref="EventId"/>.
/// The JSON form, with a <c>type</c> discriminator, is what backends store and golden-history tests commit.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ExecutionStartedEvent), "ExecutionStarted")]
[JsonDerivedType(typeof(OrchestratorStartedEvent), "OrchestratorStarted")]
[JsonDerivedType(typeof(TaskScheduledEvent), "TaskScheduled")]
[JsonDerivedType(typeof(TaskCompletedEvent), "TaskCompleted")]
[JsonDerivedType(typeof(TaskFailedEvent), "TaskFailed")]
[JsonDerivedType(typeof(SubOrchestrationCreatedEvent), "SubOrchestrationInstanceCreated")]
[JsonDerivedType(typeof(SubOrchestrationCompletedEvent), "SubOrchestrationInstanceCompleted")]
[JsonDerivedType(typeof(SubOrchestrationFailedEvent), "SubOrchestrationInstanceFailed")]
[JsonDerivedType(typeof(TimerCreatedEvent), "TimerCreated")]
[JsonDerivedType(typeof(TimerFiredEvent), "TimerFired")]
[JsonDerivedType(typeof(EventRaisedEvent), "EventRaised")]
[JsonDerivedType(typeof(ExecutionSuspendedEvent), "ExecutionSuspended")]
[JsonDerivedType(typeof(ExecutionResumedEvent), "ExecutionResumed")]
[JsonDerivedType(typeof(ExecutionTerminatedEvent), "ExecutionTerminated")]
[JsonDerivedType(typeof(ExecutionCompletedEvent), "ExecutionCompleted")]
public abstract record HistoryEvent(int EventId, DateTimeOffset Timestamp);

/// <summary>Identifies the parent of a sub-orchestration, so the child can report back.</summary>
/// <param name="InstanceId">The parent's instance id.</param>
/// <param name="ExecutionId">The parent's execution id at the time it scheduled the child.</param>
/// <param name="TaskScheduledId">The parent's step that awaits the child.</param>
/// <param name="Name">The parent's orchestrator name.</param>
public sealed record ParentInstance(string InstanceId, string ExecutionId, int TaskScheduledId, string Name);

/// <summary>The first event of an execution: which orchestrator runs, with what input.</summary>
public sealed record ExecutionStartedEvent(
    DateTimeOffset Timestamp,
    string Name,
    string ExecutionId,
    string? Input,
    ParentInstance? Parent = null,
    DateTimeOffset? ScheduledStartTime = null) : HistoryEvent(-1, Timestamp);

/// <summary>Marks the start of an episode; its timestamp is the orchestration's current time for that episode.</summary>
public sealed record OrchestratorStartedEvent(DateTimeOffset Timestamp) : HistoryEvent(-1, Timestamp);

/// <summary>The orchestrator scheduled activity <paramref name="Name"/> as step <see cref="HistoryEvent.EventId"/>.</summary>
public sealed record TaskScheduledEvent(int EventId, DateTimeOffset Timestamp, string Name, string? Input) : HistoryEvent(EventId, Timestamp);

/// <summary>An activity finished with a result.</summary>
public sealed record TaskCompletedEvent(DateTimeOffset Timestamp, int TaskScheduledId, string? Result) : HistoryEvent(-1, Timestamp);

/// <summary>An activity failed.</summary>
public sealed record TaskFailedEvent(DateTimeOffset Timestamp, int TaskScheduledId, TaskFailureDetails FailureDetails) : HistoryEvent(-1, Timestamp);

/// <summary>The orchestrator started a sub-orchestration as step <see cref="HistoryEvent.EventId"/>.</summary>
public sealed record SubOrchestrationCreatedEvent(int EventId, DateTimeOffset Timestamp, string Name, string InstanceId, string? Input) : HistoryEvent(EventId, Timestamp);

/// <summary>A sub-orchestration completed.</summary>
public sealed record SubOrchestrationCompletedEvent(DateTimeOffset Timestamp, int TaskScheduledId, string? Result) : HistoryEvent(-1, Timestamp);

/// <summary>A sub-orchestration failed or was terminated.</summary>
public sealed record SubOrchestrationFailedEvent(DateTimeOffset Timestamp, int TaskScheduledId, TaskFailureDetails FailureDetails) : HistoryEvent(-1, Timestamp);

/// <summary>The orchestrator created a durable timer as step <see cref="HistoryEvent.EventId"/>.</summary>
public sealed record TimerCreatedEvent(int EventId, DateTimeOffset Timestamp, DateTimeOffset FireAt) : HistoryEvent(EventId, Timestamp);

/// <summary>A durable timer fired.</summary>
public sealed record TimerFiredEvent(DateTimeOffset Timestamp, int TimerId, DateTimeOffset FireAt) : HistoryEvent(-1, Timestamp);

/// <summary>An external event arrived.</summary>
public sealed record EventRaisedEvent(DateTimeOffset Timestamp, string Name, string? Input) : HistoryEvent(-1, Timestamp);

/// <summary>The instance was suspended.</summary>
public sealed record ExecutionSuspendedEvent(DateTimeOffset Timestamp, string? Reason) : HistoryEvent(-1, Timestamp);

/// <summary>The instance was resumed.</summary>
public sealed record ExecutionResumedEvent(DateTimeOffset Timestamp, string? Reason) : HistoryEvent(-1, Timestamp);

/// <summary>The instance was terminated.</summary>
public sealed record ExecutionTerminatedEvent(DateTimeOffset Timestamp, string? Reason) : HistoryEvent(-1, Timestamp);

/// <summary>The execution finished.</summary>
public sealed record ExecutionCompletedEvent(
    DateTimeOffset Timestamp,
    OrchestrationRuntimeStatus Status,
    string? Result,
    TaskFailureDetails? FailureDetails) : HistoryEvent(-1, Timestamp);
