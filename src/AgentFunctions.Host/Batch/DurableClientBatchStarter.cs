using AgentFunctions.Host.Durable;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using AgentFunctions.Research.Orchestration;

namespace AgentFunctions.Host.Batch;

/// <summary>Starts batches through the host's durable client.</summary>
internal sealed class DurableClientBatchStarter(DurableTaskClient client) : IBatchStarter
{
    public async Task<BatchStartResult> StartAsync(string instanceId, BatchRequest request, CancellationToken cancellationToken)
    {
        // Any existing instance, finished or not, means this message was already handled.
        if (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken) is { } existing)
        {
            return new BatchStartResult(Started: false, existing.RuntimeStatus.ToString());
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                ResearchPipelineRegistration.BatchOrchestratorName, request, new StartOrchestrationOptions(instanceId), cancellationToken);
            return new BatchStartResult(Started: true, ExistingStatus: null);
        }
        catch (InstanceAlreadyExistsException)
        {
            // Another delivery of the same message created it between the lookup and the start.
            return new BatchStartResult(Started: false, nameof(OrchestrationRuntimeStatus.Running));
        }
    }
}
