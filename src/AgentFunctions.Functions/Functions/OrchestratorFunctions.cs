using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace AgentFunctions.Functions.Functions;

/// <summary>
/// The pipeline's orchestrators as orchestrator functions. A function's name is the name orchestrations are started
/// and called by (the batch calls the research orchestrator as a sub-orchestration by name), so each is named after
/// its class, as the local host registers them.
/// </summary>
public static class OrchestratorFunctions
{
    /// <summary>Runs <see cref="ResearchOrchestrator"/>.</summary>
    [Function(nameof(ResearchOrchestrator))]
    public static Task<ResearchResult> ResearchAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new ResearchOrchestrator().RunAsync(context, Input<ResearchRequest>(context));
    }

    /// <summary>Runs <see cref="BatchOrchestrator"/>.</summary>
    [Function(nameof(BatchOrchestrator))]
    public static Task<BatchResult> BatchAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new BatchOrchestrator().RunAsync(context, Input<BatchRequest>(context));
    }

    private static T Input<T>(TaskOrchestrationContext context) =>
        context.GetInput<T>() ?? throw new InvalidOperationException($"Orchestration '{context.InstanceId}' was started without a {typeof(T).Name} input.");
}
