using System.Globalization;
using System.Text;
using System.Threading.Channels;
using AgentFunctions.Durable.Backend;
using AgentFunctions.Durable.History;

namespace AgentFunctions.Durable.InMemory;

/// <summary>
/// A task hub held in process memory: for tests, benchmarks and single-process tools. It keeps the same
/// contract as the durable backends (per-instance locking, at-least-once activities, delayed timer delivery on
/// the configured <see cref="TimeProvider"/>), but nothing survives the process.
/// </summary>
public sealed class InMemoryOrchestrationBackend : IOrchestrationBackend
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, InstanceRecord> _instances = new(StringComparer.Ordinal);
    private readonly Channel<string> _readyInstances = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
    private readonly Channel<ActivityWorkItem> _activities = Channel.CreateUnbounded<ActivityWorkItem>();
    private readonly HashSet<ITimer> _timers = [];
    private readonly TimeProvider _time;

    /// <summary>Creates an empty task hub.</summary>
    public InMemoryOrchestrationBackend(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public string Name => "InMemory";

    /// <summary>Instances currently held (for diagnostics and tests).</summary>
    public int InstanceCount
    {
        get
        {
            lock (_gate)
            {
                return _instances.Count;
            }
        }
    }

    /// <inheritdoc />
    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task CreateInstanceAsync(OrchestrationState state, TaskMessage startMessage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(startMessage);
        lock (_gate)
        {
            if (_instances.TryGetValue(state.InstanceId, out var existing) && !existing.State.RuntimeStatus.IsTerminal())
            {
                throw new InstanceAlreadyExistsException(state.InstanceId, existing.State.RuntimeStatus);
            }

            _instances[state.InstanceId] = new InstanceRecord(state);
        }

        Deliver(startMessage);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SendMessageAsync(TaskMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        Deliver(message);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<OrchestrationState?> GetStateAsync(string instanceId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_instances.TryGetValue(instanceId, out var record) ? record.State : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<HistoryEvent> history = _instances.TryGetValue(instanceId, out var record) ? [.. record.History] : [];
            return Task.FromResult(history);
        }
    }

    /// <inheritdoc />
    public Task<InstanceQueryResult> QueryStatesAsync(InstanceQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1);
        var after = DecodeToken(query.ContinuationToken);
        List<OrchestrationState> matches;
        lock (_gate)
        {
            matches = [.. _instances.Values.Select(r => r.State).Where(query.Matches)];
        }

        matches.Sort(CompareByCreation);
        var start = after is null ? 0 : matches.FindIndex(s => CompareByCreation(s, after.Value) > 0);
        if (start < 0)
        {
            return Task.FromResult(new InstanceQueryResult([], null));
        }

        var page = matches.Skip(start).Take(query.PageSize).ToList();
        var more = start + page.Count < matches.Count;
        if (!query.FetchInputsAndOutputs)
        {
            page = [.. page.Select(s => s with { Input = null, Output = null, CustomStatus = null })];
        }

        return Task.FromResult(new InstanceQueryResult(page, more ? EncodeToken(page[^1]) : null));
    }

    /// <inheritdoc />
    public Task<bool> PurgeInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_instances.Remove(instanceId));
        }
    }

    /// <inheritdoc />
    public async Task WaitForStateChangeAsync(string instanceId, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        Task changed;
        lock (_gate)
        {
            if (!_instances.TryGetValue(instanceId, out var record))
            {
                return;
            }

            record.Changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            changed = record.Changed.Task;
        }

        // Real time on purpose: this bounds a client's wait, it is not orchestration time.
        await Task.WhenAny(changed, Task.Delay(maxWait, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <inheritdoc />
    public async Task<OrchestrationWorkItem> LockNextOrchestrationWorkItemAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var instanceId = await _readyInstances.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (!_instances.TryGetValue(instanceId, out var record))
                {
                    continue;
                }

                record.Queued = false;
                if (record.Locked || record.Pending.Count == 0)
                {
                    continue;
                }

                record.Locked = true;
                var messages = record.Pending;
                if (record.Deferred.Count > 0)
                {
                    messages.InsertRange(0, record.Deferred);
                    record.Deferred.Clear();
                }

                record.Pending = [];
                return new OrchestrationWorkItem(instanceId, messages, record.State);
            }
        }
    }

    /// <inheritdoc />
    public Task CompleteOrchestrationWorkItemAsync(OrchestrationWorkItem workItem, OrchestrationCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workItem);
        ArgumentNullException.ThrowIfNull(commit);
        TaskCompletionSource? changed = null;
        lock (_gate)
        {
            if (_instances.TryGetValue(workItem.InstanceId, out var record))
            {
                if (commit.ResetHistory)
                {
                    record.History.Clear();
                }

                record.History.AddRange(commit.NewEvents);
                record.State = commit.State ?? record.State;
                record.Deferred.AddRange(commit.Deferred ?? []);
                record.Locked = false;
                changed = record.Changed;
                record.Changed = null;
                QueueIfReady(workItem.InstanceId, record);
            }
        }

        // Outgoing messages after the instance's own state, as a durable backend must order them: a crash
        // in between loses nothing, because the episode is replayed from the messages not yet consumed.
        foreach (var message in commit.ActivityMessages)
        {
            _activities.Writer.TryWrite(new ActivityWorkItem(message));
        }

        foreach (var message in commit.OrchestratorMessages)
        {
            Deliver(message);
        }

        changed?.TrySetResult();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task AbandonOrchestrationWorkItemAsync(OrchestrationWorkItem workItem, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workItem);
        lock (_gate)
        {
            if (_instances.TryGetValue(workItem.InstanceId, out var record))
            {
                record.Pending.InsertRange(0, workItem.Messages);
                record.Locked = false;
                QueueIfReady(workItem.InstanceId, record);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<ActivityWorkItem> LockNextActivityWorkItemAsync(CancellationToken cancellationToken) =>
        await _activities.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public Task CompleteActivityWorkItemAsync(ActivityWorkItem workItem, TaskMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        Deliver(response);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task AbandonActivityWorkItemAsync(ActivityWorkItem workItem, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workItem);
        _activities.Writer.TryWrite(new ActivityWorkItem(workItem.Message) { DequeueCount = workItem.DequeueCount + 1 });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            foreach (var timer in _timers)
            {
                timer.Dispose();
            }

            _timers.Clear();
        }

        _readyInstances.Writer.TryComplete();
        _activities.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    private void Deliver(TaskMessage message)
    {
        if (message.DeliverAt is { } at && at > _time.GetUtcNow())
        {
            DeliverLater(message, at);
            return;
        }

        lock (_gate)
        {
            if (!_instances.TryGetValue(message.InstanceId, out var record))
            {
                if (message.Event is not ExecutionStartedEvent started)
                {
                    return; // Unknown or purged instance: nothing is waiting for this message.
                }

                // A sub-orchestration start creates the child's row.
                var now = _time.GetUtcNow();
                record = new InstanceRecord(new OrchestrationState(
                    message.InstanceId, started.Name, started.ExecutionId, OrchestrationRuntimeStatus.Pending, now, now,
                    Input: started.Input, ParentInstanceId: started.Parent?.InstanceId));
                _instances.Add(message.InstanceId, record);
            }
            else if (message.Event is ExecutionStartedEvent started && record.State.RuntimeStatus.IsTerminal() && started.Parent is not null)
            {
                // A parent re-running a finished child id (retry) starts it afresh.
                var now = _time.GetUtcNow();
                record.History.Clear();
                record.State = new OrchestrationState(
                    message.InstanceId, started.Name, started.ExecutionId, OrchestrationRuntimeStatus.Pending, now, now,
                    Input: started.Input, ParentInstanceId: started.Parent.InstanceId);
            }

            record.Pending.Add(message);
            QueueIfReady(message.InstanceId, record);
        }
    }

    private void DeliverLater(TaskMessage message, DateTimeOffset at)
    {
        lock (_gate)
        {
            ITimer? timer = null;
            timer = _time.CreateTimer(
                _ =>
                {
                    lock (_gate)
                    {
                        _timers.Remove(timer!);
                    }

                    timer!.Dispose();
                    Deliver(message with { Event = message.Event is ExecutionStartedEvent s ? s with { ScheduledStartTime = null } : message.Event });
                },
                null,
                Timeout.InfiniteTimeSpan,
                Timeout.InfiniteTimeSpan);

            // Created disarmed and armed under the lock, so the callback always finds the timer registered.
            _timers.Add(timer);
            var due = at - _time.GetUtcNow();
            timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
        }
    }

    private void QueueIfReady(string instanceId, InstanceRecord record)
    {
        if (!record.Locked && !record.Queued && record.Pending.Count > 0)
        {
            record.Queued = true;
            _readyInstances.Writer.TryWrite(instanceId);
        }
    }

    private static int CompareByCreation(OrchestrationState a, OrchestrationState b) => CompareByCreation(a, (b.CreatedAt, b.InstanceId));

    private static int CompareByCreation(OrchestrationState a, (DateTimeOffset CreatedAt, string InstanceId) b)
    {
        var byTime = a.CreatedAt.CompareTo(b.CreatedAt);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.InstanceId, b.InstanceId);
    }

    private static string EncodeToken(OrchestrationState last) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{last.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}|{last.InstanceId}"));

    private static (DateTimeOffset, string)? DecodeToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            return (new DateTimeOffset(long.Parse(text[..bar], CultureInfo.InvariantCulture), TimeSpan.Zero), text[(bar + 1)..]);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new ArgumentException($"The continuation token '{token}' is not one this task hub issued.", nameof(token), ex);
        }
    }

    private sealed class InstanceRecord(OrchestrationState state)
    {
        public OrchestrationState State { get; set; } = state;

        public List<HistoryEvent> History { get; } = [];

        public List<TaskMessage> Pending { get; set; } = [];

        /// <summary>Messages that arrived before the start; they ride along with the next delivery.</summary>
        public List<TaskMessage> Deferred { get; } = [];

        public bool Locked { get; set; }

        public bool Queued { get; set; }

        public TaskCompletionSource? Changed { get; set; }
    }
}
