namespace AgentFunctions.Durable;

/// <summary>
/// Thrown by an activity or orchestrator to say that retrying cannot succeed (bad input, a broken contract).
/// Retry policies do not retry a failure raised by this exception or a subclass.
/// </summary>
public class NonRetryableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NonRetryableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NonRetryableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public NonRetryableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Raised inside an orchestrator when an activity or sub-orchestration it awaited failed.</summary>
public sealed class TaskFailedException : Exception
{
    /// <summary>Creates the exception for a failed task.</summary>
    /// <param name="taskName">Name of the activity or sub-orchestrator.</param>
    /// <param name="taskId">The sequence id of the scheduling step.</param>
    /// <param name="failureDetails">What went wrong inside the task.</param>
    public TaskFailedException(string taskName, int taskId, TaskFailureDetails failureDetails)
        : base($"Task '{taskName}' (#{taskId}) failed with an unhandled exception: {failureDetails?.ErrorMessage}")
    {
        ArgumentNullException.ThrowIfNull(failureDetails);
        TaskName = taskName;
        TaskId = taskId;
        FailureDetails = failureDetails;
    }

    /// <summary>Creates the exception.</summary>
    public TaskFailedException()
        : this("unknown", -1, new TaskFailureDetails("unknown", "unknown"))
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TaskFailedException(string message)
        : this("unknown", -1, new TaskFailureDetails("unknown", message))
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public TaskFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        TaskName = "unknown";
        TaskId = -1;
        FailureDetails = TaskFailureDetails.FromException(innerException);
    }

    /// <summary>Name of the activity or sub-orchestrator that failed.</summary>
    public string TaskName { get; }

    /// <summary>The sequence id of the scheduling step.</summary>
    public int TaskId { get; }

    /// <summary>The failure as recorded in history.</summary>
    public TaskFailureDetails FailureDetails { get; }
}

/// <summary>
/// The orchestrator code no longer matches the history it is replayed against: a deployed change would break
/// runs in flight. The instance fails with this error; the message names the diverging step.
/// </summary>
public sealed class NonDeterministicOrchestrationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NonDeterministicOrchestrationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NonDeterministicOrchestrationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public NonDeterministicOrchestrationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>An operation named an instance id the task hub does not know.</summary>
public sealed class InstanceNotFoundException : InvalidOperationException
{
    /// <summary>Creates the exception for an instance id.</summary>
    public InstanceNotFoundException(string instanceId)
        : base($"No orchestration instance with id '{instanceId}' exists.") => InstanceId = instanceId;

    /// <summary>Creates the exception.</summary>
    public InstanceNotFoundException()
        : this("unknown")
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public InstanceNotFoundException(string message, Exception innerException)
        : base(message, innerException) => InstanceId = "unknown";

    /// <summary>The instance id that was not found.</summary>
    public string InstanceId { get; }
}

/// <summary>An operation needs a running instance, but the instance has already finished.</summary>
public sealed class InstanceFinishedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public InstanceFinishedException(string instanceId, OrchestrationRuntimeStatus status, string operation)
        : base($"Cannot {operation}: orchestration instance '{instanceId}' has already finished ({status}).")
    {
        InstanceId = instanceId;
        Status = status;
    }

    /// <summary>Creates the exception.</summary>
    public InstanceFinishedException()
        : this("unknown", OrchestrationRuntimeStatus.Completed, "operate")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public InstanceFinishedException(string message)
        : base(message) => InstanceId = "unknown";

    /// <summary>Creates the exception with a message and cause.</summary>
    public InstanceFinishedException(string message, Exception innerException)
        : base(message, innerException) => InstanceId = "unknown";

    /// <summary>The finished instance.</summary>
    public string InstanceId { get; }

    /// <summary>Its terminal status.</summary>
    public OrchestrationRuntimeStatus Status { get; }
}

/// <summary>Scheduling an instance id that exists and has not finished.</summary>
public sealed class InstanceAlreadyExistsException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public InstanceAlreadyExistsException(string instanceId, OrchestrationRuntimeStatus status)
        : base($"An orchestration instance with id '{instanceId}' already exists and is {status}; "
            + "an id can be reused only once its instance has completed, failed or been terminated.")
    {
        InstanceId = instanceId;
        Status = status;
    }

    /// <summary>Creates the exception.</summary>
    public InstanceAlreadyExistsException()
        : this("unknown", OrchestrationRuntimeStatus.Running)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public InstanceAlreadyExistsException(string message)
        : base(message) => InstanceId = "unknown";

    /// <summary>Creates the exception with a message and cause.</summary>
    public InstanceAlreadyExistsException(string message, Exception innerException)
        : base(message, innerException) => InstanceId = "unknown";

    /// <summary>The id that is taken.</summary>
    public string InstanceId { get; }

    /// <summary>The status of the existing instance.</summary>
    public OrchestrationRuntimeStatus Status { get; }
}
