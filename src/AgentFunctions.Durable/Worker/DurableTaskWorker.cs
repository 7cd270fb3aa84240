using System.Diagnostics;
using AgentFunctions.Durable.Backend;
using AgentFunctions.Durable.Execution;
using AgentFunctions.Durable.History;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Durable;

/// <summary>
/// Runs orchestrations and activities from a task hub: a pool of orchestration dispatchers and a pool of
/// activity dispatchers, each bounded by its concurrency setting, pulling work from the backend.
/// </summary>
public sealed class DurableTaskWorker : IHostedService, IAsyncDisposable
{
    private readonly IOrchestrationBackend _backend;
    private readonly DurableTaskRegistry _registry;
    private readonly IServiceProvider _services;
    private readonly DurableTaskWorkerOptions _options;
    private readonly DataConverter _converter;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SessionCache _cache;
    private readonly EpisodeRunner _runner;
    private readonly bool _logScopes;
    private CancellationTokenSource? _stopping;
    private Task[] _loops = [];

    /// <summary>Creates a worker.</summary>
    public DurableTaskWorker(
        IOrchestrationBackend backend,
        DurableTaskRegistry registry,
        IServiceProvider? services = null,
        DurableTaskWorkerOptions? options = null,
        DataConverter? converter = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(registry);
        _backend = backend;
        _registry = registry;
        _services = services ?? Execution.EmptyServiceProvider.Instance;
        _options = options ?? new DurableTaskWorkerOptions();
        _options.Validate();
        _converter = converter ?? DataConverter.Default;
        _time = timeProvider ?? TimeProvider.System;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<DurableTaskWorker>();

        // Scope dictionaries cost an allocation per episode and per activity: only when someone logs.
        _logScopes = loggerFactory is not NullLoggerFactory;
        _cache = new SessionCache(_options.MaxCachedOrchestrations);
        var environment = new ExecutionEnvironment(_registry, _services, _converter, loggerFactory, _options.MaxCustomStatusBytes);
        _runner = new EpisodeRunner(environment, _cache, _time, _logger);
    }

    /// <summary>Sessions currently cached (diagnostics).</summary>
    public int CachedSessionCount => _cache.Count;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_stopping is not null)
        {
            throw new InvalidOperationException("The worker is already running.");
        }

        await _backend.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        await _backend.StartAsync(cancellationToken).ConfigureAwait(false);
        _stopping = new CancellationTokenSource();
        var token = _stopping.Token;
        var loops = new List<Task>();
        for (var i = 0; i < _options.MaxConcurrentOrchestrations; i++)
        {
            loops.Add(Task.Run(() => OrchestrationLoopAsync(token), CancellationToken.None));
        }

        for (var i = 0; i < _options.MaxConcurrentActivities; i++)
        {
            loops.Add(Task.Run(() => ActivityLoopAsync(token), CancellationToken.None));
        }

        _loops = [.. loops];
        _logger.LogInformation(
            "Durable worker started on {Backend}: {Orchestrators} orchestrators, {Activities} activities registered; concurrency {OrchestrationConcurrency}/{ActivityConcurrency}.",
            _backend.Name, _registry.OrchestratorNames.Count, _registry.ActivityNames.Count, _options.MaxConcurrentOrchestrations, _options.MaxConcurrentActivities);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Work still in flight when the host's grace period ends is abandoned; its messages are redelivered.
        }

        _stopping.Dispose();
        _stopping = null;
        _cache.Clear();
        await _backend.StopAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Durable worker stopped.");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    private async Task OrchestrationLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            OrchestrationWorkItem workItem;
            try
            {
                workItem = await _backend.LockNextOrchestrationWorkItemAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogError(ex, "Fetching orchestration work from {Backend} failed; retrying in {Delay}.", _backend.Name, _options.ErrorBackoff);
                await DelayQuietlyAsync(_options.ErrorBackoff, stopping).ConfigureAwait(false);
                continue;
            }

            await ProcessOrchestrationAsync(workItem, stopping).ConfigureAwait(false);
        }
    }

    private async Task ProcessOrchestrationAsync(OrchestrationWorkItem workItem, CancellationToken stopping)
    {
        var started = Stopwatch.GetTimestamp();
        using var logScope = _logScopes ? _logger.BeginScope(new Dictionary<string, object> { ["InstanceId"] = workItem.InstanceId }) : null;
        try
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug("Episode of instance {InstanceId} with {Count} message(s).", workItem.InstanceId, workItem.Messages.Count);
            }

            var (commit, session) = await _runner.RunAsync(_backend, workItem, stopping).ConfigureAwait(false);

            // Cached while the instance is still locked: once the commit releases the lock, the next episode
            // may start on another dispatcher at once and must find this session, not replay or use an older one.
            if (session.Completion is null && session.IsStarted)
            {
                _cache.Put(session);
            }

            await _backend.CompleteOrchestrationWorkItemAsync(workItem, commit, CancellationToken.None).ConfigureAwait(false);

            DurableTelemetry.Episodes.Add(1);
            DurableTelemetry.EpisodeDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The session may hold effects of an uncommitted episode: drop it; the next episode replays history.
            _ = _cache.Take(workItem.InstanceId);
            if (!(ex is OperationCanceledException && stopping.IsCancellationRequested))
            {
                _logger.LogError(ex, "Episode of instance {InstanceId} failed; its messages will be delivered again.", workItem.InstanceId);
            }

            try
            {
                await _backend.AbandonOrchestrationWorkItemAsync(workItem, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception abandonError) when (abandonError is not OutOfMemoryException)
            {
                _logger.LogError(abandonError, "Abandoning the work item of instance {InstanceId} failed; its lock will expire.", workItem.InstanceId);
            }

            await DelayQuietlyAsync(_options.ErrorBackoff, stopping).ConfigureAwait(false);
        }
    }

    private async Task ActivityLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            ActivityWorkItem workItem;
            try
            {
                workItem = await _backend.LockNextActivityWorkItemAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogError(ex, "Fetching activity work from {Backend} failed; retrying in {Delay}.", _backend.Name, _options.ErrorBackoff);
                await DelayQuietlyAsync(_options.ErrorBackoff, stopping).ConfigureAwait(false);
                continue;
            }

            var response = await ExecuteActivityAsync(workItem).ConfigureAwait(false);
            try
            {
                await _backend.CompleteActivityWorkItemAsync(workItem, response, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Not recorded: the call is delivered again and runs again (activities are at-least-once).
                _logger.LogError(ex, "Recording the result of activity {Name} for instance {InstanceId} failed.", workItem.Scheduled.Name, workItem.Message.InstanceId);
                await SafeAbandonAsync(workItem).ConfigureAwait(false);
            }
        }
    }

    private async Task<TaskMessage> ExecuteActivityAsync(ActivityWorkItem workItem)
    {
        var scheduled = workItem.Scheduled;
        var instanceId = workItem.Message.InstanceId;
        var started = Stopwatch.GetTimestamp();
        using var span = DurableTelemetry.ActivitySource.StartActivity($"activity {scheduled.Name}", ActivityKind.Internal);
        span?.SetTag("durable.instance_id", instanceId);
        span?.SetTag("durable.task_id", scheduled.EventId);
        using var logScope = _logScopes ? _logger.BeginScope(new Dictionary<string, object> { ["InstanceId"] = instanceId, ["Activity"] = scheduled.Name }) : null;
        HistoryEvent result;
        var scope = _services.GetService<IServiceScopeFactory>()?.CreateAsyncScope();
        try
        {
            var services = scope?.ServiceProvider ?? _services;
            if (!_registry.TryCreateActivity(scheduled.Name, services, out var activity))
            {
                throw new NonRetryableException($"No activity named '{scheduled.Name}' is registered with this worker. Registered activities: {_registry.DescribeActivities()}.");
            }

            var input = _converter.Deserialize(scheduled.Input, activity.InputType);
            var output = await activity.RunAsync(new ActivityContext(scheduled.Name, instanceId, scheduled.EventId), input).ConfigureAwait(false);
            result = new TaskCompletedEvent(_time.GetUtcNow(), scheduled.EventId, _converter.Serialize(output));
            DurableTelemetry.ActivityExecutions.Add(1, new KeyValuePair<string, object?>("outcome", "completed"));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogWarning(ex, "Activity {Name} (step {TaskId}) of instance {InstanceId} failed.", scheduled.Name, scheduled.EventId, instanceId);
            result = new TaskFailedEvent(_time.GetUtcNow(), scheduled.EventId, TaskFailureDetails.FromException(ex));
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            DurableTelemetry.ActivityExecutions.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
        }
        finally
        {
            if (scope is { } s)
            {
                await s.DisposeAsync().ConfigureAwait(false);
            }

            DurableTelemetry.ActivityDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("activity", scheduled.Name));
        }

        return new TaskMessage(instanceId, workItem.Message.ExecutionId, result);
    }

    private async Task SafeAbandonAsync(ActivityWorkItem workItem)
    {
        try
        {
            await _backend.AbandonActivityWorkItemAsync(workItem, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogError(ex, "Abandoning activity {Name} of instance {InstanceId} failed; its lock will expire.", workItem.Scheduled.Name, workItem.Message.InstanceId);
        }
    }

    private static async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private sealed class ActivityContext(string name, string instanceId, int taskId) : TaskActivityContext
    {
        public override string Name => name;

        public override string InstanceId => instanceId;

        public override int TaskId => taskId;
    }
}
