using System.Text.Json.Serialization;

namespace AgentFunctions.Durable;

/// <summary>The lifecycle state of an orchestration instance, as Durable Functions reports it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OrchestrationRuntimeStatus>))]
public enum OrchestrationRuntimeStatus
{
    /// <summary>Scheduled; no episode has run yet.</summary>
    Pending,

    /// <summary>Started and not finished.</summary>
    Running,

    /// <summary>Finished successfully.</summary>
    Completed,

    /// <summary>Restarted with new input through <c>ContinueAsNew</c>; transient.</summary>
    ContinuedAsNew,

    /// <summary>Finished with an unhandled error.</summary>
    Failed,

    /// <summary>Stopped by a terminate request.</summary>
    Terminated,

    /// <summary>Paused by a suspend request; events are kept until resumed.</summary>
    Suspended,
}

/// <summary>Helpers over <see cref="OrchestrationRuntimeStatus"/>.</summary>
public static class OrchestrationRuntimeStatusExtensions
{
    /// <summary>True for the states an instance never leaves on its own: Completed, Failed, Terminated.</summary>
    public static bool IsTerminal(this OrchestrationRuntimeStatus status) =>
        status is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;
}
