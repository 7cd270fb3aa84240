using System.Collections.Concurrent;
using DurableTask.Core;
using DurableTask.Core.History;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Research.Tests.Orchestration;

/// <summary>
/// The in-process test host's in-memory engine, keeping for each instance the history and every custom status it
/// commits. The engine itself offers neither (its <c>GetOrchestrationHistoryAsync</c> is not implemented and the
/// sidecar's history stream serves only oversized work items), so this re-implements the one
/// <see cref="IOrchestrationService"/> member every committed episode passes through: the sidecar's dispatcher calls the
/// engine through that interface, so the interface mapping here sees each commit before the engine stores it.
/// </summary>
public sealed class RecordingOrchestrationService(ILoggerFactory? loggerFactory)
    : InMemoryOrchestrationService(loggerFactory), IOrchestrationService
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<HistoryEvent>> _histories = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<string>> _statuses = new(StringComparer.Ordinal);

    /// <summary>The instance's history as last committed (empty if it never ran).</summary>
    public IReadOnlyList<HistoryEvent> HistoryOf(string instanceId) =>
        _histories.TryGetValue(instanceId, out var history) ? history : [];

    /// <summary>Every distinct custom status the instance committed, in order, as serialized by the worker.</summary>
    public IReadOnlyList<string> StatusesOf(string instanceId)
    {
        if (!_statuses.TryGetValue(instanceId, out var list))
        {
            return [];
        }

        lock (list)
        {
            return [.. list];
        }
    }

    Task IOrchestrationService.CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState? orchestrationState)
    {
        var instanceId = newOrchestrationRuntimeState.OrchestrationInstance!.InstanceId;
        _histories[instanceId] = [.. newOrchestrationRuntimeState.Events];
        if (orchestrationState?.Status is { } status)
        {
            var list = _statuses.GetOrAdd(instanceId, _ => []);
            lock (list)
            {
                if (list.Count == 0 || list[^1] != status)
                {
                    list.Add(status);
                }
            }
        }

        return base.CompleteTaskOrchestrationWorkItemAsync(
            workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState!);
    }
}
