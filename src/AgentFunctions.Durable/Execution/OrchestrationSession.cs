using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using AgentFunctions.Durable.History;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Durable.Execution;

/// <summary>What the replay executor needs from its host.</summary>
/// <param name="Registry">Orchestrators and activities by name.</param>
/// <param name="Services">Service provider for orchestrator factories.</param>
/// <param name="Converter">Payload serializer.</param>
/// <param name="LoggerFactory">Source of replay-safe loggers.</param>
/// <param name="MaxCustomStatusBytes">Cap on the serialized custom status.</param>
internal sealed record ExecutionEnvironment(
    DurableTaskRegistry Registry,
    IServiceProvider Services,
    DataConverter Converter,
    ILoggerFactory LoggerFactory,
    int MaxCustomStatusBytes);

/// <summary>How an execution ended.</summary>
internal sealed record ExecutionCompletion(
    OrchestrationRuntimeStatus Status,
    string? Output,
    TaskFailureDetails? Failure,
    string? ContinueAsNewInput = null,
    IReadOnlyList<EventRaisedEvent>? CarriedOverEvents = null);

/// <summary>A step the orchestrator code asked for that history does not hold yet.</summary>
internal abstract record PendingAction(int Id);

internal sealed record ScheduleTaskAction(int Id, string Name, string? Input) : PendingAction(Id);

internal sealed record CreateTimerAction(int Id, DateTimeOffset FireAt) : PendingAction(Id);

internal sealed record CreateSubOrchestrationAction(int Id, string Name, string InstanceId, string? Input) : PendingAction(Id);

/// <summary>
/// One orchestration execution, live: the orchestrator's suspended coroutine plus everything it has seen.
/// History events are applied one at a time; after each, the orchestrator code runs on a private
/// single-threaded scheduler until it blocks on a durable task again. Applying the whole history to a fresh
/// session (a cold replay) and keeping a session alive between episodes (the cache) give the same state.
/// </summary>
internal sealed class OrchestrationSession : TaskOrchestrationContext
{
    private static readonly Guid GuidNamespace = new("6a1b5b9e-8f35-4c0a-9a4e-58f3c0d1a7e2");

    private readonly ExecutionEnvironment _env;
    private readonly OrchestrationTaskScheduler _scheduler = new();
    private readonly SortedDictionary<int, PendingAction> _pendingActions = [];
    private readonly Dictionary<int, OpenTask> _openTasks = [];
    private readonly HashSet<int> _scheduledIds = [];
    private readonly HashSet<int> _resolvedIds = [];
    private readonly Dictionary<string, LinkedList<TaskCompletionSource<string?>>> _eventWaiters = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Queue<EventRaisedEvent>> _bufferedEvents = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<HistoryEvent> _heldWhileSuspended = [];
    private readonly List<HistoryEvent> _history = [];

    private string _name = "";
    private string? _rawInput;
    private object? _input;
    private ParentInstance? _parent;
    private DateTimeOffset _currentUtc;
    private bool _isReplaying;
    private int _sequence;
    private int _guidCounter;
    private Task<object?>? _orchestratorTask;
    private (string? Input, bool PreserveEvents)? _continueAsNew;

    public OrchestrationSession(string instanceId, ExecutionEnvironment environment)
    {
        InstanceId = instanceId;
        _env = environment;
    }

    public override string Name => _name;

    public override string InstanceId { get; }

    public string ExecutionId { get; private set; } = "";

    public override ParentOrchestrationInstance? Parent => _parent is null ? null : new(_parent.Name, _parent.InstanceId);

    public ParentInstance? ParentInstance => _parent;

    public override bool IsReplaying => _isReplaying;

    public override DateTime CurrentUtcDateTime => _currentUtc.UtcDateTime;

    /// <summary>Every event applied so far, in order: what the store holds once the episode commits.</summary>
    public IReadOnlyList<HistoryEvent> History => _history;

    public bool IsStarted => _orchestratorTask is not null || Completion is not null;

    public bool IsSuspended { get; private set; }

    public ExecutionCompletion? Completion { get; private set; }

    public string? RawInput => _rawInput;

    public string? CustomStatus { get; private set; }

    /// <summary>
    /// True when an incoming event answers a step that history scheduled and nothing has answered yet.
    /// Duplicate deliveries (at-least-once activities, redelivered timers) fail this test and are dropped
    /// before they reach history, so a result is recorded exactly once.
    /// </summary>
    public bool Accepts(HistoryEvent incoming) => Completion is null && incoming switch
    {
        TaskCompletedEvent e => IsAwaited(e.TaskScheduledId),
        TaskFailedEvent e => IsAwaited(e.TaskScheduledId),
        SubOrchestrationCompletedEvent e => IsAwaited(e.TaskScheduledId),
        SubOrchestrationFailedEvent e => IsAwaited(e.TaskScheduledId),
        TimerFiredEvent e => IsAwaited(e.TimerId),
        ExecutionStartedEvent => !IsStarted,
        _ => IsStarted && Completion is null,
    };

    /// <summary>Applies one history event and runs the orchestrator code as far as it can go.</summary>
    public void Apply(HistoryEvent historyEvent, bool isReplaying)
    {
        _isReplaying = isReplaying;
        _history.Add(historyEvent);
        if (Completion is not null)
        {
            return;
        }

        try
        {
            if (IsSuspended && historyEvent is not (ExecutionResumedEvent or ExecutionTerminatedEvent or OrchestratorStartedEvent
                    or TaskScheduledEvent or TimerCreatedEvent or SubOrchestrationCreatedEvent))
            {
                _heldWhileSuspended.Add(historyEvent);
                return;
            }

            Process(historyEvent);
        }
        catch (NonDeterministicOrchestrationException ex)
        {
            Completion = new(OrchestrationRuntimeStatus.Failed, null, TaskFailureDetails.FromException(ex) with { IsNonRetriable = true });
        }
    }

    /// <summary>
    /// The steps the code asked for that history does not hold yet, turned into the history events that record
    /// them. They are applied to this session (as a replay would) and returned for the commit.
    /// </summary>
    public IReadOnlyList<HistoryEvent> TakeNewActions(DateTimeOffset now)
    {
        if (_pendingActions.Count == 0)
        {
            return [];
        }

        var events = new List<HistoryEvent>(_pendingActions.Count);
        foreach (var action in _pendingActions.Values)
        {
            events.Add(action switch
            {
                ScheduleTaskAction a => new TaskScheduledEvent(a.Id, now, a.Name, a.Input),
                CreateTimerAction a => new TimerCreatedEvent(a.Id, now, a.FireAt),
                CreateSubOrchestrationAction a => new SubOrchestrationCreatedEvent(a.Id, now, a.Name, a.InstanceId, a.Input),
                _ => throw new InvalidOperationException($"Unknown action {action}."),
            });
        }

        foreach (var e in events)
        {
            Apply(e, isReplaying: false);
        }

        return events;
    }

    public override T? GetInput<T>()
        where T : default => _input is T typed ? typed : _env.Converter.Deserialize<T>(_rawInput);

    public override Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, TaskOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return options?.Retry is { } retry
            ? WithRetryAsync(retry, () => CallActivityOnceAsync<TResult>(name, input))
            : CallActivityOnceAsync<TResult>(name, input);
    }

    public override Task<TResult> CallSubOrchestratorAsync<TResult>(string orchestratorName, object? input = null, TaskOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orchestratorName);
        var instanceId = (options as SubOrchestrationOptions)?.InstanceId;
        return options?.Retry is { } retry
            ? WithRetryAsync(retry, () => CallSubOrchestratorOnceAsync<TResult>(orchestratorName, input, instanceId))
            : CallSubOrchestratorOnceAsync<TResult>(orchestratorName, input, instanceId);
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var fireAtUtc = new DateTimeOffset(fireAt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(fireAt, DateTimeKind.Utc) : fireAt.ToUniversalTime());
        var id = _sequence++;
        _pendingActions.Add(id, new CreateTimerAction(id, fireAtUtc));
        var open = new OpenTask($"timer at {fireAtUtc:O}");
        _openTasks.Add(id, open);
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.Register(() =>
            {
                // A cancelled timer is answered: its later TimerFired is a stale duplicate, not news.
                if (_openTasks.Remove(id))
                {
                    _resolvedIds.Add(id);
                    open.Completion.TrySetCanceled(cancellationToken);
                }
            });
        }

        return open.Completion.Task;
    }

    public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        if (_bufferedEvents.TryGetValue(eventName, out var buffered) && buffered.TryDequeue(out var early))
        {
            return DeserializeResultAsync<T>(Task.FromResult(early.Input), eventName);
        }

        var waiter = new TaskCompletionSource<string?>();
        if (!_eventWaiters.TryGetValue(eventName, out var waiters))
        {
            waiters = new LinkedList<TaskCompletionSource<string?>>();
            _eventWaiters.Add(eventName, waiters);
        }

        var node = waiters.AddLast(waiter);
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.Register(() =>
            {
                if (node.List is not null)
                {
                    waiters.Remove(node);
                    waiter.TrySetCanceled(cancellationToken);
                }
            });
        }

        return DeserializeResultAsync<T>(waiter.Task, eventName);
    }

    public override void SetCustomStatus(object? customStatus)
    {
        string? serialized;
        try
        {
            serialized = _env.Converter.Serialize(customStatus);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or ArgumentException or System.Text.Json.JsonException)
        {
            throw new ArgumentException($"The custom status of orchestration '{Name}' (instance '{InstanceId}') cannot be serialized: {ex.Message}", nameof(customStatus), ex);
        }

        var size = serialized is null ? 0 : Encoding.UTF8.GetByteCount(serialized);
        if (size > _env.MaxCustomStatusBytes)
        {
            throw new ArgumentException(
                $"The custom status of orchestration '{Name}' (instance '{InstanceId}') is {size} bytes serialized; the limit is {_env.MaxCustomStatusBytes} bytes. Keep only a summary in the status and put the rest in the output or a blob.",
                nameof(customStatus));
        }

        CustomStatus = serialized;
    }

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) =>
        _continueAsNew = (SerializeInput(newInput, $"ContinueAsNew of orchestration '{Name}'"), preserveUnprocessedEvents);

    [SuppressMessage("Security", "CA5350:Do not use weak cryptographic algorithms", Justification = "RFC 4122 name-based (v5) UUIDs are defined on SHA-1; this is an identifier, not a security boundary.")]
    public override Guid NewGuid()
    {
        // Name-based: the same instance, episode time and counter give the same GUID on every replay.
        var name = $"{InstanceId}_{_currentUtc.UtcDateTime:O}_{_guidCounter++}";
        Span<byte> input = stackalloc byte[16 + Encoding.UTF8.GetMaxByteCount(name.Length)];
        GuidNamespace.TryWriteBytes(input, bigEndian: true, out _);
        var length = 16 + Encoding.UTF8.GetBytes(name, input[16..]);
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input[..length], hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }

    public override ILogger CreateReplaySafeLogger(string categoryName) =>
        new ReplaySafeLogger(this, _env.LoggerFactory.CreateLogger(categoryName));

    private bool IsAwaited(int id) => _scheduledIds.Contains(id) && !_resolvedIds.Contains(id);

    private void Process(HistoryEvent historyEvent)
    {
        switch (historyEvent)
        {
            case OrchestratorStartedEvent e:
                _currentUtc = e.Timestamp;
                return;
            case ExecutionStartedEvent e:
                Start(e);
                break;
            case TaskScheduledEvent e:
                MatchScheduled(e.EventId, e, a => a is ScheduleTaskAction t && string.Equals(t.Name, e.Name, StringComparison.OrdinalIgnoreCase));
                return;
            case TimerCreatedEvent e:
                MatchScheduled(e.EventId, e, a => a is CreateTimerAction);
                return;
            case SubOrchestrationCreatedEvent e:
                MatchScheduled(e.EventId, e, a => a is CreateSubOrchestrationAction s && string.Equals(s.Name, e.Name, StringComparison.OrdinalIgnoreCase));
                return;
            case TaskCompletedEvent e:
                Resolve(e.TaskScheduledId, open => open.Completion.TrySetResult(e.Result));
                break;
            case SubOrchestrationCompletedEvent e:
                Resolve(e.TaskScheduledId, open => open.Completion.TrySetResult(e.Result));
                break;
            case TimerFiredEvent e:
                Resolve(e.TimerId, open => open.Completion.TrySetResult(null));
                break;
            case TaskFailedEvent e:
                Resolve(e.TaskScheduledId, open => open.Completion.TrySetException(new TaskFailedException(open.Name, e.TaskScheduledId, e.FailureDetails)));
                break;
            case SubOrchestrationFailedEvent e:
                Resolve(e.TaskScheduledId, open => open.Completion.TrySetException(new TaskFailedException(open.Name, e.TaskScheduledId, e.FailureDetails)));
                break;
            case EventRaisedEvent e:
                DeliverEvent(e);
                break;
            case ExecutionSuspendedEvent:
                IsSuspended = true;
                return;
            case ExecutionResumedEvent:
                IsSuspended = false;
                var held = _heldWhileSuspended.ToArray();
                _heldWhileSuspended.Clear();
                foreach (var e in held)
                {
                    Process(e);
                    if (Completion is not null)
                    {
                        return;
                    }
                }

                return;
            case ExecutionTerminatedEvent e:
                Completion = new(OrchestrationRuntimeStatus.Terminated, _env.Converter.Serialize(e.Reason), null);
                return;
            default:
                return;
        }

        _scheduler.Drain();
        CheckCompletion();
    }

    private void Start(ExecutionStartedEvent started)
    {
        _name = started.Name;
        ExecutionId = started.ExecutionId;
        _rawInput = started.Input;
        _parent = started.Parent;
        _currentUtc = _currentUtc == default ? started.Timestamp : _currentUtc;
        if (!_env.Registry.TryCreateOrchestrator(started.Name, _env.Services, out var orchestrator))
        {
            Fail(new InvalidOperationException(
                $"No orchestrator named '{started.Name}' is registered with this worker. Registered orchestrators: {_env.Registry.DescribeOrchestrators()}."));
            return;
        }

        try
        {
            _input = _env.Converter.Deserialize(started.Input, orchestrator.InputType);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException)
        {
            Fail(new ArgumentException($"The input of orchestrator '{started.Name}' cannot be read as {orchestrator.InputType.Name}: {ex.Message}", ex));
            return;
        }

        _orchestratorTask = Task.Factory.StartNew(
            () => orchestrator.RunAsync(this, _input),
            CancellationToken.None,
            TaskCreationOptions.DenyChildAttach,
            _scheduler).Unwrap();
    }

    private void Fail(Exception ex) =>
        Completion = new(OrchestrationRuntimeStatus.Failed, null, TaskFailureDetails.FromException(ex) with { IsNonRetriable = true });

    private void CheckCompletion()
    {
        if (Completion is not null || _orchestratorTask is not { IsCompleted: true } task)
        {
            return;
        }

        if (task.IsFaulted)
        {
            var error = task.Exception!.InnerExceptions.Count == 1 ? task.Exception.InnerException! : task.Exception;
            Completion = new(OrchestrationRuntimeStatus.Failed, null, TaskFailureDetails.FromException(error));
        }
        else if (task.IsCanceled)
        {
            Completion = new(OrchestrationRuntimeStatus.Failed, null, new TaskFailureDetails(typeof(TaskCanceledException).FullName!, "The orchestrator's task was cancelled."));
        }
        else if (_continueAsNew is { } next)
        {
            var carried = next.PreserveEvents ? _bufferedEvents.Values.SelectMany(q => q).ToArray() : [];
            Completion = new(OrchestrationRuntimeStatus.ContinuedAsNew, null, null, next.Input, carried);
        }
        else
        {
            string? output;
            try
            {
                output = _env.Converter.Serialize(task.Result);
            }
            catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or System.Text.Json.JsonException)
            {
                Completion = new(OrchestrationRuntimeStatus.Failed, null, TaskFailureDetails.FromException(
                    new InvalidOperationException($"The output of orchestrator '{Name}' cannot be serialized: {ex.Message}", ex)));
                return;
            }

            Completion = new(OrchestrationRuntimeStatus.Completed, output, null);
        }
    }

    private void MatchScheduled(int id, HistoryEvent recorded, Func<PendingAction, bool> matches)
    {
        if (!_pendingActions.Remove(id, out var action))
        {
            throw new NonDeterministicOrchestrationException(
                $"Non-deterministic orchestration '{Name}' (instance '{InstanceId}'): history step {id} is {Describe(recorded)}, "
                + "but the orchestrator code no longer schedules anything at that step. A code change altered the steps of a run in flight; "
                + "deploy such changes under a new orchestrator name or version.");
        }

        if (!matches(action))
        {
            throw new NonDeterministicOrchestrationException(
                $"Non-deterministic orchestration '{Name}' (instance '{InstanceId}'): history step {id} is {Describe(recorded)}, "
                + $"but the orchestrator code now schedules {Describe(action)} at that step. A code change altered the steps of a run in flight; "
                + "deploy such changes under a new orchestrator name or version.");
        }

        _scheduledIds.Add(id);
    }

    private static string Describe(HistoryEvent e) => e switch
    {
        TaskScheduledEvent t => $"activity '{t.Name}'",
        TimerCreatedEvent t => $"a timer firing at {t.FireAt:O}",
        SubOrchestrationCreatedEvent s => $"sub-orchestration '{s.Name}'",
        _ => e.GetType().Name,
    };

    private static string Describe(PendingAction a) => a switch
    {
        ScheduleTaskAction t => $"activity '{t.Name}'",
        CreateTimerAction t => $"a timer firing at {t.FireAt:O}",
        CreateSubOrchestrationAction s => $"sub-orchestration '{s.Name}'",
        _ => a.GetType().Name,
    };

    private void Resolve(int id, Action<OpenTask> complete)
    {
        _resolvedIds.Add(id);
        if (_openTasks.Remove(id, out var open))
        {
            complete(open);
        }
    }

    private void DeliverEvent(EventRaisedEvent raised)
    {
        if (_eventWaiters.TryGetValue(raised.Name, out var waiters) && waiters.First is { } first)
        {
            waiters.RemoveFirst();
            first.Value.TrySetResult(raised.Input);
            return;
        }

        if (!_bufferedEvents.TryGetValue(raised.Name, out var queue))
        {
            queue = new Queue<EventRaisedEvent>();
            _bufferedEvents.Add(raised.Name, queue);
        }

        queue.Enqueue(raised);
    }

    private Task<TResult> CallActivityOnceAsync<TResult>(string name, object? input)
    {
        if (!_env.Registry.ContainsActivity(name))
        {
            var details = new TaskFailureDetails(
                "ActivityNotFound",
                $"No activity named '{name}' is registered with this worker. Registered activities: {_env.Registry.DescribeActivities()}.",
                IsNonRetriable: true);
            return Task.FromException<TResult>(new TaskFailedException(name, -1, details));
        }

        var serialized = SerializeInput(input, $"activity '{name}'");
        var id = _sequence++;
        _pendingActions.Add(id, new ScheduleTaskAction(id, name, serialized));
        var open = new OpenTask(name);
        _openTasks.Add(id, open);
        return DeserializeResultAsync<TResult>(open.Completion.Task, name);
    }

    private Task<TResult> CallSubOrchestratorOnceAsync<TResult>(string name, object? input, string? instanceId)
    {
        var serialized = SerializeInput(input, $"sub-orchestration '{name}'");
        var id = _sequence++;
        var childId = instanceId ?? $"{InstanceId}:{id:D4}";
        _pendingActions.Add(id, new CreateSubOrchestrationAction(id, name, childId, serialized));
        var open = new OpenTask(name);
        _openTasks.Add(id, open);
        return DeserializeResultAsync<TResult>(open.Completion.Task, name);
    }

    private async Task<TResult> WithRetryAsync<TResult>(RetryPolicy policy, Func<Task<TResult>> attempt)
    {
        var firstAttemptAt = CurrentUtcDateTime;
        for (var attemptNumber = 1; ; attemptNumber++)
        {
            try
            {
                return await attempt();
            }
            catch (TaskFailedException ex) when (ShouldRetry(policy, ex.FailureDetails, attemptNumber, firstAttemptAt))
            {
                await CreateTimer(CurrentUtcDateTime.Add(policy.GetDelay(attemptNumber)), CancellationToken.None);
            }
        }
    }

    private bool ShouldRetry(RetryPolicy policy, TaskFailureDetails failure, int attemptNumber, DateTime firstAttemptAt)
    {
        if (failure.IsNonRetriable || attemptNumber >= policy.MaxNumberOfAttempts)
        {
            return false;
        }

        if (policy.RetryTimeout is { } timeout && CurrentUtcDateTime.Add(policy.GetDelay(attemptNumber)) - firstAttemptAt > timeout)
        {
            return false;
        }

        return policy.HandleFailure?.Invoke(failure) ?? true;
    }

    private async Task<T> DeserializeResultAsync<T>(Task<string?> raw, string source)
    {
        var json = await raw;
        try
        {
            return _env.Converter.Deserialize<T>(json)!;
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new InvalidOperationException($"The result of '{source}' cannot be read as {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    private string? SerializeInput(object? input, string what)
    {
        try
        {
            return _env.Converter.Serialize(input);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or ArgumentException or System.Text.Json.JsonException)
        {
            throw new ArgumentException($"The input of {what} cannot be serialized: {ex.Message}", nameof(input), ex);
        }
    }

    private sealed class OpenTask(string name)
    {
        public string Name { get; } = name;

        public TaskCompletionSource<string?> Completion { get; } = new();
    }

    private sealed class ReplaySafeLogger(OrchestrationSession session, ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => !session.IsReplaying && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!session.IsReplaying)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }

    internal static ExecutionEnvironment StandaloneEnvironment(DurableTaskRegistry registry) =>
        new(registry, EmptyServiceProvider.Instance, DataConverter.Default, NullLoggerFactory.Instance, 16 * 1024);
}
