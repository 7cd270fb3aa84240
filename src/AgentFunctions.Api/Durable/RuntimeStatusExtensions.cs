using Microsoft.DurableTask.Client;

namespace AgentFunctions.Host.Durable;

/// <summary>Reads of <see cref="OrchestrationRuntimeStatus"/>.</summary>
public static class RuntimeStatusExtensions
{
    /// <summary>True once an instance can change no more: Completed, Failed or Terminated.</summary>
    public static bool IsTerminal(this OrchestrationRuntimeStatus status) =>
        status is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;
}
