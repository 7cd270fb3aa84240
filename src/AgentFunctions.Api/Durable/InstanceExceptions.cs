using Microsoft.DurableTask.Client;

namespace AgentFunctions.Host.Durable;

/// <summary>No orchestration instance has the id.</summary>
public sealed class InstanceNotFoundException : InvalidOperationException
{
    /// <summary>Creates the exception for an id.</summary>
    /// <param name="instanceId">The id that was not found.</param>
    public InstanceNotFoundException(string instanceId)
        : base($"No orchestration instance with id '{instanceId}' exists.") => InstanceId = instanceId;

    /// <summary>The id that was not found.</summary>
    public string InstanceId { get; }
}

/// <summary>The operation needs a running instance and this one has finished.</summary>
public sealed class InstanceFinishedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="instanceId">The instance.</param>
    /// <param name="status">Its final status.</param>
    /// <param name="operation">What could not be done, as a verb phrase ("terminate").</param>
    public InstanceFinishedException(string instanceId, OrchestrationRuntimeStatus status, string operation)
        : base($"Cannot {operation} instance '{instanceId}': it is {status}.")
    {
        InstanceId = instanceId;
        Status = status;
    }

    /// <summary>The instance.</summary>
    public string InstanceId { get; }

    /// <summary>Its final status.</summary>
    public OrchestrationRuntimeStatus Status { get; }
}

/// <summary>A start named an instance id that a pending, running or suspended instance already holds.</summary>
public sealed class InstanceAlreadyExistsException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="instanceId">The id in use.</param>
    /// <param name="status">The holder's status.</param>
    public InstanceAlreadyExistsException(string instanceId, OrchestrationRuntimeStatus status)
        : base($"An instance with id '{instanceId}' already exists and is {status}.")
    {
        InstanceId = instanceId;
        Status = status;
    }

    /// <summary>The id in use.</summary>
    public string InstanceId { get; }

    /// <summary>The holder's status.</summary>
    public OrchestrationRuntimeStatus Status { get; }
}
