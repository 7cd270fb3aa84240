using DurableTask.AzureStorage;
using DurableTask.AzureStorage.Tracking;
using DurableTask.Core;
using DurableTask.Core.Exceptions;
using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using CoreOrchestrationState = DurableTask.Core.OrchestrationState;
using CoreStatus = DurableTask.Core.OrchestrationStatus;
using PurgeResult = Microsoft.DurableTask.Client.PurgeResult;
using RuntimeStatus = Microsoft.DurableTask.Client.OrchestrationRuntimeStatus;

namespace AgentFunctions.Host.Durable;

/// <summary>
/// The <see cref="DurableTaskClient"/> of the local host: the same client type an Azure Functions
/// <c>[DurableClient]</c> binding gives, over DurableTask.Core's Azure Storage provider in this process. Inputs,
/// events and outputs go through the one data converter the worker uses.
/// </summary>
/// <remarks>
/// Operations on an instance that does not exist throw <see cref="InstanceNotFoundException"/>; operations that need
/// a running instance throw <see cref="InstanceFinishedException"/> when it has finished; a start whose id is taken by
/// a running or pending instance throws <see cref="InstanceAlreadyExistsException"/>. Waits poll the instance row
/// quickly at first and back off, since the provider's own wait polls every two seconds.
/// </remarks>
public sealed class LocalDurableTaskClient : DurableTaskClient
{
    /// <summary>Longest accepted instance id (the Instances table's row key limit leaves room for this).</summary>
    public const int MaxInstanceIdLength = InstanceIds.MaxLength;

    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(500);
    private static readonly CoreStatus[] RunningStatuses = [CoreStatus.Pending, CoreStatus.Running, CoreStatus.Suspended, CoreStatus.ContinuedAsNew];

    private readonly AzureStorageOrchestrationService _service;
    private readonly DataConverter _converter;
    private readonly TimeProvider _time;
    private readonly HashSet<string>? _orchestrators;

    /// <summary>Creates the client over a started or unstarted provider.</summary>
    /// <param name="service">The task hub's Azure Storage provider (shared with the worker).</param>
    /// <param name="converter">The data converter the worker uses.</param>
    /// <param name="time">The clock.</param>
    /// <param name="orchestrators">
    /// The orchestrators this hub's worker runs; a start naming another is refused up front instead of failing later.
    /// Null accepts any name.
    /// </param>
    public LocalDurableTaskClient(AzureStorageOrchestrationService service, DataConverter converter, TimeProvider? time = null, IEnumerable<string>? orchestrators = null)
        : base("local")
    {
        _service = service ?? throw new ArgumentNullException(nameof(service));
        _converter = converter ?? throw new ArgumentNullException(nameof(converter));
        _time = time ?? TimeProvider.System;
        _orchestrators = orchestrators?.ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The data converter in use.</summary>
    public DataConverter Converter => _converter;

    /// <inheritdoc />
    public override async Task<string> ScheduleNewOrchestrationInstanceAsync(
        TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
    {
        var name = orchestratorName.Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("An orchestrator name is required.", nameof(orchestratorName));
        }

        if (_orchestrators is not null && !_orchestrators.Contains(name))
        {
            throw new ArgumentException(
                $"No orchestrator named '{name}' is registered; known: {string.Join(", ", _orchestrators.Order(StringComparer.Ordinal))}.", nameof(orchestratorName));
        }

        var instanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        ValidateInstanceId(instanceId);
        var instance = new OrchestrationInstance { InstanceId = instanceId, ExecutionId = Guid.NewGuid().ToString("N") };
        var started = new ExecutionStartedEvent(-1, _converter.Serialize(input))
        {
            Name = name,
            Version = options?.Version?.Version ?? string.Empty,
            OrchestrationInstance = instance,
            ScheduledStartTime = options?.StartAt?.UtcDateTime,
            Tags = options?.Tags?.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
        };
        try
        {
            await _service.CreateTaskOrchestrationAsync(new TaskMessage { Event = started, OrchestrationInstance = instance }, RunningStatuses).WaitAsync(cancellation);
        }
        catch (Exception ex) when (ex is OrchestrationAlreadyExistsException or Azure.RequestFailedException { Status: 409 or 412 })
        {
            // The second form: a concurrent start with the same id won the race to the Instances row.
            var existing = await GetInstancesAsync(instanceId, getInputsAndOutputs: false, cancellation);
            throw new InstanceAlreadyExistsException(instanceId, existing?.RuntimeStatus ?? RuntimeStatus.Pending);
        }

        return instanceId;
    }

    /// <inheritdoc />
    public override async Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        var state = await RequireRunningAsync(instanceId, "raise an event on", cancellation);
        await SendAsync(state, new EventRaisedEvent(-1, _converter.Serialize(eventPayload)) { Name = eventName }, cancellation);
    }

    /// <inheritdoc />
    public override async Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        await RequireRunningAsync(instanceId, "terminate", cancellation);
        var reason = options?.Output switch
        {
            null => null,
            string text => text,
            var other => _converter.Serialize(other),
        };
        await _service.ForceTerminateTaskOrchestrationAsync(instanceId, reason!).WaitAsync(cancellation);
    }

    /// <inheritdoc />
    public override async Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default)
    {
        var state = await RequireRunningAsync(instanceId, "suspend", cancellation);
        await SendAsync(state, new ExecutionSuspendedEvent(-1, reason), cancellation);
    }

    /// <inheritdoc />
    public override async Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default)
    {
        var state = await RequireRunningAsync(instanceId, "resume", cancellation);
        await SendAsync(state, new ExecutionResumedEvent(-1, reason), cancellation);
    }

    /// <inheritdoc />
    public override async Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        var state = await GetStateAsync(instanceId, getInputsAndOutputs, cancellation);
        return state is null ? null : ToMetadata(state, getInputsAndOutputs);
    }

    /// <inheritdoc />
    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) =>
        Pageable.Create(async (string? continuation, int? pageSize, CancellationToken cancellation) =>
        {
            var condition = new OrchestrationInstanceStatusQueryCondition
            {
                RuntimeStatus = filter?.Statuses?.Select(s => (CoreStatus)s).ToList(),
                CreatedTimeFrom = filter?.CreatedFrom?.UtcDateTime ?? default,
                CreatedTimeTo = filter?.CreatedTo?.UtcDateTime ?? default,
                InstanceIdPrefix = filter?.InstanceIdPrefix,
                FetchInput = filter?.FetchInputsAndOutputs ?? false,
                FetchOutput = filter?.FetchInputsAndOutputs ?? false,
            };
            var top = pageSize ?? filter?.PageSize ?? OrchestrationQuery.DefaultPageSize;
            var result = await _service.GetOrchestrationStateAsync(condition, top, continuation ?? filter?.ContinuationToken!, cancellation);
            var page = result.OrchestrationState.Select(s => ToMetadata(s, filter?.FetchInputsAndOutputs ?? false)).ToList();
            return new Page<OrchestrationMetadata>(page, string.IsNullOrEmpty(result.ContinuationToken) ? null : result.ContinuationToken);
        });

    /// <inheritdoc />
    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        WaitAsync(instanceId, getInputsAndOutputs, m => m.RuntimeStatus != RuntimeStatus.Pending, cancellation);

    /// <inheritdoc />
    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        WaitAsync(instanceId, getInputsAndOutputs, m => m.IsCompleted, cancellation);

    /// <inheritdoc />
    public override async Task<PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        var state = await GetStateAsync(instanceId, fetchInput: false, cancellation);
        if (state is null)
        {
            return new PurgeResult(0);
        }

        if (!IsTerminal(state.OrchestrationStatus))
        {
            throw new InvalidOperationException($"Instance '{instanceId}' is {ToRuntimeStatus(state.OrchestrationStatus)}; only a finished instance can be purged.");
        }

        var result = await _service.PurgeInstanceHistoryAsync(instanceId).WaitAsync(cancellation);
        return new PurgeResult(result.InstancesDeleted);
    }

    /// <inheritdoc />
    public override async Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, PurgeInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var statuses = (filter.Statuses ?? [RuntimeStatus.Completed, RuntimeStatus.Failed, RuntimeStatus.Terminated]).Select(s => (CoreStatus)s).ToList();
        var result = await _service.PurgeInstanceHistoryAsync(
            filter.CreatedFrom?.UtcDateTime ?? DateTime.MinValue, filter.CreatedTo?.UtcDateTime, statuses).WaitAsync(cancellation);
        return new PurgeResult(result.InstancesDeleted);
    }

    /// <summary>
    /// The current execution's history, oldest first, one JSON object per event as the provider stores it
    /// (DurableTask.Core's PascalCase fields, <c>EventType</c> as <see cref="EventType"/>); empty for an unknown instance.
    /// </summary>
    /// <param name="instanceId">The instance.</param>
    /// <param name="cancellation">Cancels the read.</param>
    public async Task<IReadOnlyList<System.Text.Json.Nodes.JsonObject>> GetHistoryAsync(string instanceId, CancellationToken cancellation = default)
    {
        var state = await GetStateAsync(instanceId, fetchInput: false, cancellation);
        if (state is null)
        {
            return [];
        }

        var json = await _service.GetOrchestrationHistoryAsync(instanceId, state.OrchestrationInstance.ExecutionId).WaitAsync(cancellation);
        return System.Text.Json.Nodes.JsonNode.Parse(json) is System.Text.Json.Nodes.JsonArray events
            ? [.. events.OfType<System.Text.Json.Nodes.JsonObject>()]
            : [];
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Rejects ids the task hub cannot hold, naming the problem.</summary>
    /// <param name="instanceId">The proposed id.</param>
    /// <exception cref="ArgumentException">The id is empty, too long, or holds a character Azure Table keys forbid.</exception>
    public static void ValidateInstanceId(string instanceId) => InstanceIds.Validate(instanceId);

    internal static bool IsTerminal(CoreStatus status) =>
        status is CoreStatus.Completed or CoreStatus.Failed or CoreStatus.Terminated or CoreStatus.Canceled;

    private static RuntimeStatus ToRuntimeStatus(CoreStatus status) => (RuntimeStatus)status;

    private async Task<CoreOrchestrationState?> GetStateAsync(string instanceId, bool fetchInput, CancellationToken cancellation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        var states = await _service.GetOrchestrationStateAsync(instanceId, allExecutions: false, fetchInput).WaitAsync(cancellation);
        return states.FirstOrDefault(s => s is not null);
    }

    private async Task<CoreOrchestrationState> RequireRunningAsync(string instanceId, string operation, CancellationToken cancellation)
    {
        var state = await GetStateAsync(instanceId, fetchInput: false, cancellation) ?? throw new InstanceNotFoundException(instanceId);
        if (IsTerminal(state.OrchestrationStatus))
        {
            throw new InstanceFinishedException(instanceId, ToRuntimeStatus(state.OrchestrationStatus), operation);
        }

        return state;
    }

    private Task SendAsync(CoreOrchestrationState state, HistoryEvent message, CancellationToken cancellation) =>
        _service.SendTaskOrchestrationMessageAsync(new TaskMessage
        {
            Event = message,
            OrchestrationInstance = new OrchestrationInstance { InstanceId = state.OrchestrationInstance.InstanceId },
        }).WaitAsync(cancellation);

    private async Task<OrchestrationMetadata> WaitAsync(string instanceId, bool getInputsAndOutputs, Func<OrchestrationMetadata, bool> done, CancellationToken cancellation)
    {
        var delay = FirstPoll;
        while (true)
        {
            var instance = await GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation);
            if (instance is not null && done(instance))
            {
                return instance;
            }

            await Task.Delay(delay, _time, cancellation);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestPoll.Ticks));
        }
    }

    private static TaskFailureDetails? ToFailureDetails(FailureDetails? details) => details is null
        ? null
        : new TaskFailureDetails(details.ErrorType, details.ErrorMessage, details.StackTrace, ToFailureDetails(details.InnerFailure), null);

    /// <summary>
    /// The Instances table keeps a failed instance's failure as its output text (<c>Type: message</c>) rather than as
    /// structured details; read it back into details so callers see one shape.
    /// </summary>
    private static TaskFailureDetails? FailureFromOutput(CoreOrchestrationState state)
    {
        if (state.OrchestrationStatus != CoreStatus.Failed || string.IsNullOrEmpty(state.Output))
        {
            return null;
        }

        var separator = state.Output.IndexOf(": ", StringComparison.Ordinal);
        var type = separator > 0 ? state.Output[..separator] : string.Empty;
        return type.Length > 0 && type.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '+' or '`')
            ? new TaskFailureDetails(type, state.Output[(separator + 2)..], null, null, null)
            : new TaskFailureDetails("OrchestrationFailure", state.Output, null, null, null);
    }

    private OrchestrationMetadata ToMetadata(CoreOrchestrationState state, bool withPayloads)
    {
        var failure = ToFailureDetails(state.FailureDetails) ?? FailureFromOutput(state);
        return new OrchestrationMetadata(state.Name, state.OrchestrationInstance.InstanceId)
        {
            DataConverter = _converter,
            RuntimeStatus = ToRuntimeStatus(state.OrchestrationStatus),
            CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(state.CreatedTime, DateTimeKind.Utc)),
            LastUpdatedAt = new DateTimeOffset(DateTime.SpecifyKind(state.LastUpdatedTime, DateTimeKind.Utc)),
            SerializedInput = withPayloads ? state.Input : null,
            SerializedOutput = withPayloads && failure is null ? state.Output : null,
            SerializedCustomStatus = state.Status,
            FailureDetails = failure,
        };
    }
}
