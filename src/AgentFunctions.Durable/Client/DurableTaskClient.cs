using System.Runtime.CompilerServices;
using AgentFunctions.Durable.Backend;
using AgentFunctions.Durable.History;

namespace AgentFunctions.Durable;

/// <summary>
/// Starts, queries and controls orchestration instances of a task hub; member names follow
/// <c>Microsoft.DurableTask.Client.DurableTaskClient</c>. Every operation that names an instance checks it
/// first and fails with a clear exception, leaving the store untouched, when it is unknown or finished.
/// </summary>
public sealed class DurableTaskClient
{
    /// <summary>Longest instance id accepted (Azure Table keys allow 1 KiB; Durable Functions uses 256 characters).</summary>
    public const int MaxInstanceIdLength = 256;

    private readonly IOrchestrationBackend _backend;
    private readonly DurableTaskRegistry? _registry;
    private readonly DataConverter _converter;
    private readonly TimeProvider _time;

    /// <summary>Creates a client.</summary>
    /// <param name="backend">The task hub's storage.</param>
    /// <param name="registry">When given, scheduling an unregistered orchestrator is refused up front.</param>
    /// <param name="converter">Payload serializer; must match the worker's.</param>
    /// <param name="timeProvider">Clock for created/updated times.</param>
    public DurableTaskClient(IOrchestrationBackend backend, DurableTaskRegistry? registry = null, DataConverter? converter = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        _backend = backend;
        _registry = registry;
        _converter = converter ?? DataConverter.Default;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The payload serializer.</summary>
    public DataConverter Converter => _converter;

    /// <summary>Schedules a new orchestration instance and returns its id.</summary>
    /// <exception cref="ArgumentException">Unknown orchestrator, bad instance id, or input that cannot be serialized.</exception>
    /// <exception cref="InstanceAlreadyExistsException">The id belongs to an instance that has not finished.</exception>
    public async Task<string> ScheduleNewOrchestrationInstanceAsync(
        string orchestratorName,
        object? input = null,
        StartOrchestrationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orchestratorName);
        if (_registry is not null && !_registry.ContainsOrchestrator(orchestratorName))
        {
            throw new ArgumentException(
                $"No orchestrator named '{orchestratorName}' is registered. Registered orchestrators: {_registry.DescribeOrchestrators()}.",
                nameof(orchestratorName));
        }

        var instanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        ValidateInstanceId(instanceId);
        string? serialized;
        try
        {
            serialized = _converter.Serialize(input);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or ArgumentException or System.Text.Json.JsonException)
        {
            throw new ArgumentException($"The input of orchestrator '{orchestratorName}' cannot be serialized: {ex.Message}", nameof(input), ex);
        }

        var now = _time.GetUtcNow();
        var executionId = Guid.NewGuid().ToString("N");
        var state = new OrchestrationState(instanceId, orchestratorName, executionId, OrchestrationRuntimeStatus.Pending, now, now, Input: serialized);
        var start = new TaskMessage(instanceId, executionId, new ExecutionStartedEvent(now, orchestratorName, executionId, serialized, ScheduledStartTime: options?.StartAt));
        if (options?.InstanceId is null)
        {
            // A fresh GUID cannot collide: nothing to check before starting.
            await _backend.CreateNewInstanceAsync(state, start, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _backend.CreateInstanceAsync(state, start, cancellationToken).ConfigureAwait(false);
        }

        return instanceId;
    }

    /// <summary>Reads an instance's status; null when it does not exist.</summary>
    public async Task<OrchestrationMetadata?> GetInstanceAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        var state = await _backend.GetStateAsync(instanceId, cancellationToken).ConfigureAwait(false);
        if (state is null)
        {
            return null;
        }

        return new OrchestrationMetadata(getInputsAndOutputs ? state : state with { Input = null, Output = null, CustomStatus = null }, _converter);
    }

    /// <summary>Reads the current execution's history.</summary>
    /// <exception cref="InstanceNotFoundException">The instance does not exist.</exception>
    public async Task<IReadOnlyList<HistoryEvent>> GetOrchestrationHistoryAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        _ = await RequireAsync(instanceId, cancellationToken).ConfigureAwait(false);
        return await _backend.GetHistoryAsync(instanceId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One page of instances matching a query.</summary>
    public async Task<(IReadOnlyList<OrchestrationMetadata> Instances, string? ContinuationToken)> QueryInstancesAsync(
        InstanceQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var page = await _backend.QueryStatesAsync(query, cancellationToken).ConfigureAwait(false);
        return ([.. page.Instances.Select(s => new OrchestrationMetadata(s, _converter))], page.ContinuationToken);
    }

    /// <summary>Every instance matching a query, page after page.</summary>
    public async IAsyncEnumerable<OrchestrationMetadata> GetAllInstancesAsync(InstanceQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= new InstanceQuery();
        while (true)
        {
            var (instances, token) = await QueryInstancesAsync(query, cancellationToken).ConfigureAwait(false);
            foreach (var instance in instances)
            {
                yield return instance;
            }

            if (token is null)
            {
                yield break;
            }

            query = query with { ContinuationToken = token };
        }
    }

    /// <summary>Waits until the instance has left Pending.</summary>
    public Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellationToken = default) =>
        WaitForAsync(instanceId, getInputsAndOutputs, s => s.RuntimeStatus != OrchestrationRuntimeStatus.Pending, cancellationToken);

    /// <summary>Waits until the instance is Completed, Failed or Terminated.</summary>
    public Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = true, CancellationToken cancellationToken = default) =>
        WaitForAsync(instanceId, getInputsAndOutputs, s => s.RuntimeStatus.IsTerminal(), cancellationToken);

    /// <summary>Waits until the instance's status satisfies a condition.</summary>
    public async Task<OrchestrationMetadata> WaitForAsync(
        string instanceId, bool getInputsAndOutputs, Func<OrchestrationState, bool> condition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var wait = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            var metadata = await GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false)
                ?? throw new InstanceNotFoundException(instanceId);
            if (condition(metadata.State))
            {
                return getInputsAndOutputs ? metadata : new OrchestrationMetadata(metadata.State with { Input = null, Output = null, CustomStatus = null }, _converter);
            }

            await _backend.WaitForStateChangeAsync(instanceId, wait, cancellationToken).ConfigureAwait(false);
            wait = TimeSpan.FromMilliseconds(Math.Min(wait.TotalMilliseconds * 2, 1000));
        }
    }

    /// <summary>Sends an external event to a running instance.</summary>
    /// <exception cref="InstanceNotFoundException">The instance does not exist.</exception>
    /// <exception cref="InstanceFinishedException">The instance has finished; nothing is sent.</exception>
    public async Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        var state = await RequireRunningAsync(instanceId, $"raise event '{eventName}'", cancellationToken).ConfigureAwait(false);
        string? payload;
        try
        {
            payload = _converter.Serialize(eventPayload);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or ArgumentException or System.Text.Json.JsonException)
        {
            throw new ArgumentException($"The payload of event '{eventName}' cannot be serialized: {ex.Message}", nameof(eventPayload), ex);
        }

        await SendAsync(state, new EventRaisedEvent(_time.GetUtcNow(), eventName, payload), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Terminates a running instance; <paramref name="reason"/> becomes its output.</summary>
    public async Task TerminateInstanceAsync(string instanceId, object? reason = null, CancellationToken cancellationToken = default)
    {
        var state = await RequireRunningAsync(instanceId, "terminate", cancellationToken).ConfigureAwait(false);
        await SendAsync(state, new ExecutionTerminatedEvent(_time.GetUtcNow(), reason?.ToString()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Suspends a running instance: events are kept but not processed until it is resumed.</summary>
    public async Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellationToken = default)
    {
        var state = await RequireRunningAsync(instanceId, "suspend", cancellationToken).ConfigureAwait(false);
        await SendAsync(state, new ExecutionSuspendedEvent(_time.GetUtcNow(), reason), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resumes a suspended instance.</summary>
    public async Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellationToken = default)
    {
        var state = await RequireRunningAsync(instanceId, "resume", cancellationToken).ConfigureAwait(false);
        await SendAsync(state, new ExecutionResumedEvent(_time.GetUtcNow(), reason), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a finished instance and all it stored.</summary>
    /// <exception cref="InstanceNotFoundException">The instance does not exist.</exception>
    /// <exception cref="InvalidOperationException">The instance has not finished; nothing is removed.</exception>
    public async Task<PurgeResult> PurgeInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var state = await RequireAsync(instanceId, cancellationToken).ConfigureAwait(false);
        if (!state.RuntimeStatus.IsTerminal())
        {
            throw new InvalidOperationException(
                $"Cannot purge orchestration instance '{instanceId}': it is {state.RuntimeStatus}. Terminate it first, or wait for it to finish.");
        }

        return new PurgeResult(await _backend.PurgeInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false) ? 1 : 0);
    }

    /// <summary>Removes every finished instance that matches a filter.</summary>
    public async Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var statuses = filter.Statuses is { Count: > 0 } s
            ? [.. s.Where(x => x.IsTerminal())]
            : new[] { OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated };
        var query = new InstanceQuery(statuses, filter.CreatedFrom, filter.CreatedTo, PageSize: 500);
        var ids = new List<string>();
        await foreach (var instance in GetAllInstancesAsync(query, cancellationToken).ConfigureAwait(false))
        {
            ids.Add(instance.InstanceId);
        }

        var purged = 0;
        foreach (var id in ids)
        {
            purged += await _backend.PurgeInstanceAsync(id, cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }

        return new PurgeResult(purged);
    }

    /// <summary>Throws unless an instance id is usable as a storage key.</summary>
    public static void ValidateInstanceId(string instanceId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        if (instanceId.Length > MaxInstanceIdLength)
        {
            throw new ArgumentException($"Instance id is {instanceId.Length} characters; at most {MaxInstanceIdLength} are allowed.", nameof(instanceId));
        }

        foreach (var c in instanceId)
        {
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
            {
                throw new ArgumentException($"Instance id '{instanceId}' contains '{(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())}'; ids may not contain '/', '\\', '#', '?' or control characters.", nameof(instanceId));
            }
        }
    }

    private async Task<OrchestrationState> RequireAsync(string instanceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        return await _backend.GetStateAsync(instanceId, cancellationToken).ConfigureAwait(false) ?? throw new InstanceNotFoundException(instanceId);
    }

    private async Task<OrchestrationState> RequireRunningAsync(string instanceId, string operation, CancellationToken cancellationToken)
    {
        var state = await RequireAsync(instanceId, cancellationToken).ConfigureAwait(false);
        return state.RuntimeStatus.IsTerminal() ? throw new InstanceFinishedException(instanceId, state.RuntimeStatus, operation) : state;
    }

    private Task SendAsync(OrchestrationState state, HistoryEvent message, CancellationToken cancellationToken) =>
        _backend.SendMessageAsync(new TaskMessage(state.InstanceId, null, message), cancellationToken);
}
