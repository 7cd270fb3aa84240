using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using AgentFunctions.Durable.Backend;
using AgentFunctions.Durable.History;
using AgentFunctions.Storage;
using AgentFunctions.Storage.Queues;
using AgentFunctions.Storage.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Durable.AzureStorage;

/// <summary>
/// A task hub on Azure Storage (Azurite locally), laid out as Durable Functions lays it out: a control queue
/// for orchestration messages, a work-item queue for activity calls, an Instances and a History table, a
/// large-message container and a lease container. One host processes the hub at a time (a blob lease).
/// </summary>
/// <remarks>
/// Commit order makes crashes lose nothing: (1) outgoing messages are sent, (2) history rows and the instance
/// row are written, (3) the consumed messages are deleted. A crash before (3) redelivers the messages; the
/// next episode replays history, drops what it already recorded, and re-sends only what is missing, so a
/// result is recorded once even when an activity runs twice.
/// </remarks>
public sealed class AzureStorageOrchestrationBackend : IOrchestrationBackend
{
    private readonly StorageAccountClient _account;
    private readonly bool _ownsAccount;
    private readonly AzureStorageBackendOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TaskHubNames _names;
    private readonly QueueClient _control;
    private readonly QueueClient _workItems;
    private readonly TableClient _instances;
    private readonly TableClient _history;
    private readonly PayloadStore _payloads;
    private readonly TaskHubLease _lease;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, InstanceBuffer> _buffers = new(StringComparer.Ordinal);

    // Starts held back while the activity dispatchers are saturated (see BufferLocked).
    private readonly Queue<HeldPart> _waitingStarts = new();
    private readonly Channel<string> _ready = Channel.CreateUnbounded<string>();
    private readonly Channel<ActivityWorkItem> _activities = Channel.CreateUnbounded<ActivityWorkItem>();
    private readonly ConcurrentDictionary<string, HeldMessage> _held = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string ExecutionId, int Count)> _historyCounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _changed = new(StringComparer.Ordinal);

    // Rows this host wrote. While it holds the lease it is their only writer, except a client re-creating a
    // finished instance, which shows as a start message for another execution and forces a fresh read.
    private readonly ConcurrentDictionary<string, CachedRow> _rows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ITimer, byte> _timers = new();

    /// <summary>Instances whose start, carried by their row, is in this host's memory (under <see cref="_gate"/>).</summary>
    private readonly HashSet<string> _startsInRow = new(StringComparer.Ordinal);
    private readonly MessageOutbox _controlOutbox;
    private readonly MessageOutbox _clientOutbox;
    private readonly MessageOutbox _workOutbox;
    private readonly SemaphoreSlim _controlWake = new(0, int.MaxValue);
    private readonly SemaphoreSlim _activityWake = new(0, int.MaxValue);
    private readonly SemaphoreSlim _activityRoom = new(0, int.MaxValue);
    private int _activityBacklog;

    // Calls this host sent visible (its backlog was full) and has not received back yet: queued work it knows of.
    private int _queuedCalls;

    // Messages buffered for instances and not yet taken by an episode (under _gate).
    private int _pendingParts;

    // Control messages this host sent visible (its buffer was full) and has not received back yet.
    private int _queuedControlParts;
    private volatile bool _processing;
    private volatile bool _legacyRowsMigrated;

    /// <summary>Counts leases taken (under <see cref="_gate"/>): a claim made under an earlier lease is void.</summary>
    private int _leaseEpoch;
    private CancellationTokenSource? _running;
    private Task[] _loops = [];

    /// <summary>Creates a backend over a storage account.</summary>
    public AzureStorageOrchestrationBackend(
        StorageAccountClient account,
        AzureStorageBackendOptions? options = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
        : this(account, ownsAccount: false, options, timeProvider, loggerFactory)
    {
    }

    private AzureStorageOrchestrationBackend(
        StorageAccountClient account, bool ownsAccount, AzureStorageBackendOptions? options, TimeProvider? timeProvider, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(account);
        _options = options ?? new AzureStorageBackendOptions();
        _options.Validate();
        _account = account;
        _ownsAccount = ownsAccount;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<AzureStorageOrchestrationBackend>();
        _names = new TaskHubNames(_options.TaskHubName);
        _control = account.GetQueueClient(_names.ControlQueue);
        _workItems = account.GetQueueClient(_names.WorkItemQueue);
        _instances = account.GetTableClient(_names.InstancesTable);
        _history = account.GetTableClient(_names.HistoryTable);
        _payloads = new PayloadStore(account.GetBlobContainerClient(_names.LargeMessagesContainer), _options.LargePayloadThresholdBytes);
        var hostId = _options.HostId ?? $"{Environment.MachineName}/{_options.TaskHubName}";
        _lease = new TaskHubLease(account.GetBlobContainerClient(_names.LeasesContainer), _options, hostId, _logger);
        // Clients (starts, raised events) get an outbox of their own, so they never wait behind the worker's sends.
        _controlOutbox = new MessageOutbox(SendControlBatchAsync, _options.MaxMessagesPerQueueMessage, _options.LargePayloadThresholdBytes, _options.MaxConcurrentSendsPerQueue, background: true);
        // One lane: under a burst of submissions each send carries every start that arrived during the previous one
        // (fewer, fuller queue messages; Azurite's cost per message grows with the messages it has seen), and an idle
        // hub still sends at once. A second lane would not help a client whose storage is down: every start waits.
        _clientOutbox = new MessageOutbox(SendControlBatchAsync, _options.MaxMessagesPerQueueMessage, _options.LargePayloadThresholdBytes, 1);
        _workOutbox = new MessageOutbox(SendActivityBatchAsync, _options.MaxMessagesPerQueueMessage, _options.LargePayloadThresholdBytes, _options.MaxConcurrentSendsPerQueue, background: true);
    }

    /// <summary>Creates a backend that owns a client for the given connection string.</summary>
    public static AzureStorageOrchestrationBackend Create(
        string connectionString, AzureStorageBackendOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null) =>
        new(new StorageAccountClient(connectionString), ownsAccount: true, options, timeProvider, loggerFactory);

    /// <inheritdoc />
    public string Name => $"AzureStorage hub '{_options.TaskHubName}'";

    /// <summary>The resource names of this hub.</summary>
    public TaskHubNames Names => _names;

    /// <summary>True while this host holds the task-hub lease and processes messages.</summary>
    public bool IsProcessing => _processing;

    /// <inheritdoc />
    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(
            _control.CreateIfNotExistsAsync(cancellationToken),
            _workItems.CreateIfNotExistsAsync(cancellationToken),
            _instances.CreateIfNotExistsAsync(cancellationToken),
            _history.CreateIfNotExistsAsync(cancellationToken),
            _account.GetBlobContainerClient(_names.LargeMessagesContainer).CreateIfNotExistsAsync(cancellationToken),
            _account.GetBlobContainerClient(_names.LeasesContainer).CreateIfNotExistsAsync(cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_running is not null)
        {
            return Task.CompletedTask;
        }

        // Taking the lease may wait for another host; it runs in the background so the host itself starts.
        _running = new CancellationTokenSource();
        var token = _running.Token;
        _loops = [Task.Run(() => RunWhileLeasedAsync(token), CancellationToken.None)];
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_running is null)
        {
            return;
        }

        await _running.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        _running.Dispose();
        _running = null;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var timer in _timers.Keys)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }

        _ready.Writer.TryComplete();
        _activities.Writer.TryComplete();
        if (_ownsAccount)
        {
            _account.Dispose();
        }
    }

    // ---------------------------------------------------------------- client side

    /// <inheritdoc />
    public async Task CreateInstanceAsync(OrchestrationState state, TaskMessage startMessage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(startMessage);
        var entity = await InstanceRows.ToEntityAsync(state, _payloads, cancellationToken).ConfigureAwait(false);
        try
        {
            await _instances.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageRequestFailedException ex) when (ex.Status == 409)
        {
            var (existing, existingState) = await ReadStoredRowAsync(state.InstanceId, cancellationToken).ConfigureAwait(false);
            if (existingState?.ExecutionId == state.ExecutionId)
            {
                // Our own insert, retried after its response was lost (execution ids are new per create).
                _rows[state.InstanceId] = new CachedRow(state, state);
                await SendControlAsync(startMessage, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (existingState is not null && !existingState.RuntimeStatus.IsTerminal())
            {
                throw new InstanceAlreadyExistsException(state.InstanceId, existingState.RuntimeStatus);
            }

            try
            {
                // Replace the finished instance only if nobody else replaced it meanwhile.
                await _instances.UpdateEntityAsync(entity, existing?.ETag ?? "*", TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageRequestFailedException race) when (race.Status is 412 or 404)
            {
                throw new InstanceAlreadyExistsException(state.InstanceId, OrchestrationRuntimeStatus.Pending);
            }

            _historyCounts.TryRemove(state.InstanceId, out _);
        }

        RememberCreated(state);
        await SendControlAsync(startMessage, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// On the lease holder, the instance's Pending row alone makes the start durable: it carries the start message
    /// (<see cref="InstanceRows.SetStartAsync"/>), and the start is dispatched from memory, with no queue message.
    /// A submission's 202 waits for one table insert. Starts that wait for admission then cost the queue nothing:
    /// no message held, renewed, or scanned past by every other queue operation (Azurite's cost per queue request
    /// grows with the messages it holds). Should this host lose the lease first, the next lease holder finds the
    /// row in its recovery scan (<see cref="RecoverStartsInRowsAsync"/>) and runs the start. Elsewhere (no lease),
    /// and for a start scheduled for later, this is <see cref="CreateInstanceAsync"/>.
    /// </remarks>
    public async Task CreateNewInstanceAsync(OrchestrationState state, TaskMessage startMessage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(startMessage);
        int epoch;
        lock (_gate)
        {
            epoch = _leaseEpoch;
            if (!_processing || startMessage.DeliverAt is not null || !_startsInRow.Add(state.InstanceId))
            {
                epoch = -1;
            }
        }

        if (epoch < 0)
        {
            await CreateInstanceAsync(state, startMessage, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Claimed above, before the insert: a recovery scan that sees the row leaves the start to this call.
        try
        {
            var entity = await InstanceRows.ToEntityAsync(state, _payloads, cancellationToken).ConfigureAwait(false);
            var envelope = await _payloads.EncodeEnvelopeAsync(startMessage, cancellationToken).ConfigureAwait(false);
            await InstanceRows.SetStartAsync(entity, envelope, _payloads, cancellationToken).ConfigureAwait(false);
            await InsertNewRowAsync(entity, state, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_gate)
            {
                if (_leaseEpoch == epoch)
                {
                    _startsInRow.Remove(state.InstanceId);
                }
            }

            throw;
        }

        RememberCreated(state);
        lock (_gate)
        {
            // The lease may have been lost (and taken again) during the insert; the claim went with it. Then the
            // start is this call's only if the new holder's scan has not claimed it; with no lease, it waits in
            // its row for the next holder.
            if (_processing && (_leaseEpoch == epoch || _startsInRow.Add(state.InstanceId)))
            {
                BufferLocked(HeldMessage.ForStartInRow(_control, startMessage).Parts[0]);
            }
        }
    }

    /// <summary>Inserts the row of an instance whose id the client generated; a 409 is this insert retried after a lost response, or a taken id.</summary>
    private async Task InsertNewRowAsync(TableEntity entity, OrchestrationState state, CancellationToken cancellationToken)
    {
        try
        {
            await _instances.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageRequestFailedException ex) when (ex.Status == 409)
        {
            var (_, existingState) = await ReadStoredRowAsync(state.InstanceId, cancellationToken).ConfigureAwait(false);
            if (existingState?.ExecutionId != state.ExecutionId)
            {
                throw new InstanceAlreadyExistsException(state.InstanceId, existingState?.RuntimeStatus ?? OrchestrationRuntimeStatus.Pending);
            }
        }
    }

    /// <summary>An instance's stored row (for its ETag) and its state without payloads, or nulls.</summary>
    private async Task<(TableEntity? Row, OrchestrationState? State)> ReadStoredRowAsync(string instanceId, CancellationToken cancellationToken)
    {
        var row = await _instances.GetEntityIfExistsAsync(instanceId, InstanceRows.RowKey(instanceId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return (row, row is null ? null : await InstanceRows.FromEntityAsync(row, _payloads, false, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Runs the starts that Pending rows carry and no host has in memory: those of a lease holder that crashed or
    /// lost the lease before their first episode. A table scan (on a non-key column), once per lease taken; it stops
    /// when the lease goes. Starts created meanwhile on this host are claimed before their insert and skipped here.
    /// </summary>
    private async Task RecoverStartsInRowsAsync(int epoch, CancellationToken cancellationToken)
    {
        var recovered = 0;
        try
        {
            await foreach (var row in _instances.QueryAsync(InstanceRows.StartsInRowFilter, InstanceRows.StartColumns, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                TaskMessage start;
                try
                {
                    var envelope = await InstanceRows.GetStartAsync(row, _payloads, cancellationToken).ConfigureAwait(false)
                        ?? throw new JsonException("The row's StartMessage is empty.");
                    start = (await _payloads.DecodeMessagesAsync(envelope, cancellationToken).ConfigureAwait(false))[0];
                }
                catch (Exception ex) when (ex is JsonException or StorageRequestFailedException)
                {
                    _logger.LogError(ex, "Instance {InstanceId}: the start its Pending row carries cannot be read; it stays Pending.", row.PartitionKey);
                    continue;
                }

                lock (_gate)
                {
                    if (!_processing || _leaseEpoch != epoch)
                    {
                        return;
                    }

                    if (_startsInRow.Add(start.InstanceId))
                    {
                        BufferLocked(HeldMessage.ForStartInRow(_control, start).Parts[0]);
                        recovered++;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Left for the next lease taken; meanwhile those instances stay Pending.
            _logger.LogError(ex, "Task hub {Hub}: scanning for starts carried by Pending rows failed.", _options.TaskHubName);
            return;
        }

        if (recovered > 0)
        {
            _logger.LogInformation("Task hub {Hub}: recovered {Count} start(s) carried by Pending rows.", _options.TaskHubName, recovered);
        }
    }

    /// <summary>The row of an instance this host just created, and its new execution's empty history.</summary>
    private void RememberCreated(OrchestrationState state)
    {
        _rows[state.InstanceId] = new CachedRow(state, state);
        NoteFreshExecution(state);
    }

    /// <summary>
    /// Records that a new execution has no history yet, so its first episode reads none (a table query, which
    /// Azurite answers by scanning every history row of the hub). Only true while this host holds the lease from
    /// the create on: its start message can reach no other host before it, and losing the lease forgets the
    /// record (under the same gate that clears <see cref="_processing"/>).
    /// </summary>
    private void NoteFreshExecution(OrchestrationState state)
    {
        lock (_gate)
        {
            if (_processing)
            {
                _historyCounts[state.InstanceId] = (state.ExecutionId, 0);
            }
        }
    }

    /// <inheritdoc />
    public Task SendMessageAsync(TaskMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendControlAsync(message, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<OrchestrationState?> GetStateAsync(string instanceId, CancellationToken cancellationToken)
    {
        // While this host holds the lease it is the only writer of an unfinished instance's row (a create
        // elsewhere replaces only finished rows; purge removes only finished ones), so the row it last wrote is
        // the row in storage: status polling costs no request. Finished rows are not cached and are read.
        if (_processing && _rows.TryGetValue(instanceId, out var written))
        {
            return written.Latest;
        }

        var entity = await _instances.GetEntityIfExistsAsync(instanceId, InstanceRows.RowKey(instanceId), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (entity is null && !_legacyRowsMigrated)
        {
            // A row an earlier build wrote, not yet moved by the lease holder (see MigrateLegacyRowsAsync).
            entity = await _instances.GetEntityIfExistsAsync(instanceId, InstanceRows.LegacyRowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return entity is null ? null : await InstanceRows.FromEntityAsync(entity, _payloads, true, cancellationToken).ConfigureAwait(false);
    }

    private async Task MigrateLegacyRowsQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await MigrateLegacyRowsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The lease is gone; the next one taken moves the rest.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Status reads still find unmoved rows (they fall back to the old key); the next lease taken retries.
            _logger.LogError(ex, "Task hub {Hub}: moving instance rows of an earlier build failed; processing goes on.", _options.TaskHubName);
        }
    }

    /// <summary>
    /// Moves instance rows an earlier build wrote under an empty RowKey (Durable Functions' layout) to the RowKey
    /// <see cref="InstanceRows.RowKey"/> gives, before this lease holder processes anything: a table scan, once per
    /// host. A row already at the new key is newer and wins; the old one is deleted either way.
    /// </summary>
    private async Task MigrateLegacyRowsAsync(CancellationToken cancellationToken)
    {
        if (_legacyRowsMigrated)
        {
            return;
        }

        var moved = 0;
        await foreach (var legacy in _instances.QueryAsync(TableFilter.Format($"RowKey eq {InstanceRows.LegacyRowKey}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var copy = new TableEntity(legacy.PartitionKey, InstanceRows.RowKey(legacy.PartitionKey));
            foreach (var (name, value) in legacy)
            {
                copy[name] = value;
            }

            try
            {
                await _instances.AddEntityAsync(copy, cancellationToken).ConfigureAwait(false);
                moved++;
            }
            catch (StorageRequestFailedException ex) when (ex.Status == 409)
            {
                // Written at the new key since.
            }

            try
            {
                await _instances.DeleteEntityAsync(legacy.PartitionKey, InstanceRows.LegacyRowKey, "*", cancellationToken).ConfigureAwait(false);
            }
            catch (StorageRequestFailedException ex) when (ex.Status == 404)
            {
                // Moved by another host meanwhile.
            }
        }

        if (moved > 0)
        {
            _logger.LogInformation("Task hub {Hub}: moved {Count} instance row(s) written by an earlier build to the current layout.", _options.TaskHubName, moved);
        }

        _legacyRowsMigrated = true;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellationToken)
    {
        var state = await GetStateAsync(instanceId, cancellationToken).ConfigureAwait(false);
        if (state is null)
        {
            return [];
        }

        if (_processing && _historyCounts.TryGetValue(instanceId, out var known) && known.ExecutionId == state.ExecutionId && known.Count == 0)
        {
            // A new execution this host created and has not written to (see NoteFreshExecution).
            return [];
        }

        var events = await ReadHistoryAsync(instanceId, state.ExecutionId, cancellationToken).ConfigureAwait(false);

        // Only fills a gap: a client read racing a commit may return fewer rows than the commit has just written,
        // and must not make the next commit write over them. Commits always set the count after writing.
        _historyCounts.TryAdd(instanceId, (state.ExecutionId, events.Count));
        return events;
    }

    /// <inheritdoc />
    public async Task<InstanceQueryResult> QueryStatesAsync(InstanceQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1);
        var conditions = new List<string>();
        if (query.RuntimeStatus is { Count: > 0 } statuses)
        {
            conditions.Add(TableFilter.Or([.. statuses.Select(s => TableFilter.Format($"RuntimeStatus eq {s.ToString()}"))]));
        }

        if (query.CreatedFrom is { } from)
        {
            conditions.Add(TableFilter.Format($"CreatedTime ge {from}"));
        }

        if (query.CreatedTo is { } to)
        {
            conditions.Add(TableFilter.Format($"CreatedTime le {to}"));
        }

        if (!string.IsNullOrEmpty(query.InstanceIdPrefix))
        {
            conditions.Add(TableFilter.StartsWith("PartitionKey", query.InstanceIdPrefix));
        }

        var filter = conditions.Count == 0 ? null : TableFilter.And([.. conditions]);
        var select = query.FetchInputsAndOutputs ? null : InstanceRows.SummaryColumns;
        var results = new List<OrchestrationState>();
        var token = DecodeToken(query.ContinuationToken);

        // A filtered page may come back short (or empty) with a continuation; keep reading until the page is full.
        do
        {
            var page = await _instances.QueryPageAsync(filter, select, Math.Min(1000, query.PageSize - results.Count), token, cancellationToken).ConfigureAwait(false);
            foreach (var entity in page.Entities)
            {
                var stored = await InstanceRows.FromEntityAsync(entity, _payloads, query.FetchInputsAndOutputs, cancellationToken).ConfigureAwait(false);

                // A running instance's newer custom status and time, when this host deferred writing them.
                results.Add(_processing && _rows.TryGetValue(stored.InstanceId, out var cached) && cached.Stored.ExecutionId == stored.ExecutionId && cached.Stored.RuntimeStatus == stored.RuntimeStatus
                    ? stored with { LastUpdatedAt = cached.Latest.LastUpdatedAt, CustomStatus = query.FetchInputsAndOutputs ? cached.Latest.CustomStatus : stored.CustomStatus }
                    : stored);
            }

            token = page.ContinuationToken;
        }
        while (token is not null && results.Count < query.PageSize);

        return new InstanceQueryResult(results, EncodeToken(token));
    }

    /// <inheritdoc />
    public async Task<bool> PurgeInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        var row = await _instances.GetEntityIfExistsAsync(instanceId, InstanceRows.RowKey(instanceId), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return false;
        }

        await DeleteHistoryRowsAsync(instanceId, executionToKeep: null, cancellationToken).ConfigureAwait(false);
        await _payloads.DeleteInstanceBlobsAsync(instanceId, cancellationToken).ConfigureAwait(false);
        await DropBufferedMessagesAsync(instanceId, cancellationToken).ConfigureAwait(false);
        try
        {
            await _instances.DeleteEntityAsync(instanceId, InstanceRows.RowKey(instanceId), "*", cancellationToken).ConfigureAwait(false);
        }
        catch (StorageRequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }

        _historyCounts.TryRemove(instanceId, out _);
        _rows.TryRemove(instanceId, out _);
        return true;
    }

    /// <inheritdoc />
    public async Task WaitForStateChangeAsync(string instanceId, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var changed = _changed.GetOrAdd(instanceId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        // Changes made by this host signal at once; changes by another host are seen when maxWait runs out.
        await Task.WhenAny(changed.Task, Task.Delay(maxWait, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    // ---------------------------------------------------------------- worker side: orchestrations

    /// <inheritdoc />
    public async Task<OrchestrationWorkItem> LockNextOrchestrationWorkItemAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var instanceId = await _ready.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            List<HeldPart> messages;
            lock (_gate)
            {
                if (!_buffers.TryGetValue(instanceId, out var buffer))
                {
                    continue;
                }

                buffer.Queued = false;
                if (buffer.Locked || buffer.Pending.Count == 0)
                {
                    continue;
                }

                buffer.Locked = true;
                messages = buffer.Pending;
                _pendingParts -= messages.Count;
                if (buffer.Deferred.Count > 0)
                {
                    messages.InsertRange(0, buffer.Deferred);
                    buffer.Deferred.Clear();
                }

                buffer.Pending = [];
            }

            try
            {
                using var priority = StorageRequestPriority.Background();
                var state = _rows.TryGetValue(instanceId, out var cached) && !StartsAnotherExecution(messages, cached.Latest)
                    ? cached.Latest
                    : await GetStateAsync(instanceId, cancellationToken).ConfigureAwait(false);
                return new OrchestrationWorkItem(instanceId, [.. messages.Select(m => m.Message)], state) { BackendState = messages };
            }
            catch
            {
                Requeue(instanceId, messages);
                throw;
            }
        }
    }

    /// <inheritdoc />
    public async Task CompleteOrchestrationWorkItemAsync(OrchestrationWorkItem workItem, OrchestrationCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workItem);
        ArgumentNullException.ThrowIfNull(commit);
        using var priority = StorageRequestPriority.Background();
        var held = (List<HeldPart>)workItem.BackendState!;
        var deferred = commit.Deferred is { Count: > 0 } d ? held.Where(h => d.Contains(h.Message)).ToList() : [];
        var consumed = deferred.Count == 0 ? held : held.Except(deferred).ToList();
        var instanceId = workItem.InstanceId;
        using var throttle = new SemaphoreSlim(_options.MaxParallelWritesPerCommit);

        // 1. Everything the episode sends. Child rows first, so a started child is never without a row. Timers
        //    go one per queue message (they are parked and held on their own schedule); everything else goes
        //    through the outboxes, packed with what other episodes and activities send at the same time.
        await Task.WhenAll(commit.OrchestratorMessages
            .Where(m => m.Event is ExecutionStartedEvent { Parent: not null })
            .Select(m => Throttled(throttle, () => EnsureChildRowAsync(m.InstanceId, (ExecutionStartedEvent)m.Event, cancellationToken)))).ConfigureAwait(false);
        var timers = commit.OrchestratorMessages.Where(m => m.DeliverAt is not null).ToList();
        var control = await EncodeAllAsync(commit.OrchestratorMessages.Where(m => m.DeliverAt is null), throttle, cancellationToken).ConfigureAwait(false);
        var work = await EncodeAllAsync(commit.ActivityMessages, throttle, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll([
            _controlOutbox.SendAsync(control, cancellationToken),
            _workOutbox.SendAsync(work, cancellationToken),
            .. timers.Select(t => Throttled(throttle, () => SendTimerAsync(t, t.DeliverAt!.Value, cancellationToken)))]).ConfigureAwait(false);

        // 2. History and the instance row (independent tables: written side by side; a crash between them is
        //    repaired by the next episode, which recomputes the row from history).
        var writes = new List<Task>();
        if (commit.NewEvents.Count > 0 || commit.ResetHistory)
        {
            writes.Add(AppendHistoryAsync(instanceId, commit, cancellationToken));
        }

        if (commit.State is { } state)
        {
            writes.Add(WriteInstanceRowAsync(state, callsPending: commit.ActivityMessages.Count > 0, cancellationToken));
        }

        await Task.WhenAll(writes).ConfigureAwait(false);

        // 3. The messages are consumed (a packed queue message goes when its last part is).
        await Task.WhenAll(consumed.Select(m => Throttled(throttle, () => ConsumeAsync(m, cancellationToken)))).ConfigureAwait(false);

        lock (_gate)
        {
            if (_buffers.TryGetValue(instanceId, out var buffer))
            {
                buffer.Locked = false;
                buffer.Deferred.AddRange(deferred);
                if (buffer.Pending.Count == 0 && buffer.Deferred.Count == 0)
                {
                    _buffers.Remove(instanceId);
                }
                else
                {
                    QueueIfReady(instanceId, buffer);
                }
            }
        }

        if (commit.ResetHistory && commit.State is { } continued)
        {
            _ = Task.Run(() => DeleteHistoryRowsQuietlyAsync(instanceId, continued.ExecutionId), CancellationToken.None);
        }

        if (_changed.TryRemove(instanceId, out var changed))
        {
            changed.TrySetResult();
        }

        TryAdmitStarts();
    }

    /// <inheritdoc />
    public Task AbandonOrchestrationWorkItemAsync(OrchestrationWorkItem workItem, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workItem);

        // The messages stay hidden under this host's receipts; they go back to the buffer and are retried.
        Requeue(workItem.InstanceId, (List<HeldPart>)workItem.BackendState!);
        return Task.CompletedTask;
    }

    // ---------------------------------------------------------------- worker side: activities

    /// <inheritdoc />
    public async Task<ActivityWorkItem> LockNextActivityWorkItemAsync(CancellationToken cancellationToken) =>
        await _activities.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task CompleteActivityWorkItemAsync(ActivityWorkItem workItem, TaskMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workItem);
        ArgumentNullException.ThrowIfNull(response);
        using var priority = StorageRequestPriority.Background();
        var part = (HeldPart)workItem.BackendState!;
        if (!TryHandOverResult(part, response))
        {
            await SendControlAsync(response, cancellationToken).ConfigureAwait(false);
            await ConsumeAsync(part, cancellationToken).ConfigureAwait(false);
        }

        ActivityDone();
    }

    /// <summary>
    /// Hands an activity's result straight to its orchestration in this host: the result takes the call's place in
    /// the call's queue message, which stays held until the episode that records the result has committed, and is
    /// then consumed. No result message is sent or deleted; should this host die first, the call becomes visible
    /// again and runs again, and replay drops the second result (the same at-least-once rule as any redelivery).
    /// </summary>
    private bool TryHandOverResult(HeldPart call, TaskMessage response)
    {
        lock (_gate)
        {
            // With a full buffer the result waits in the control queue like any other message.
            if (!_processing || call.Held.Done || ControlBufferFull)
            {
                return false;
            }

            BufferLocked(new HeldPart(call.Held, response));
            return true;
        }
    }

    /// <inheritdoc />
    public async Task AbandonActivityWorkItemAsync(ActivityWorkItem workItem, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workItem);
        using var priority = StorageRequestPriority.Background();
        var part = (HeldPart)workItem.BackendState!;
        var retryIn = TimeSpan.FromSeconds(Math.Min(30, Math.Max(1, workItem.DequeueCount) * 2));
        try
        {
            if (part.Held.Parts.Count == 1)
            {
                await ReleaseHeldAsync(part.Held, retryIn).ConfigureAwait(false);
            }
            else
            {
                // The other calls packed with this one carry on; this one alone goes back to the queue, visible
                // after the back-off, and its part of the packed message is done.
                var envelope = await _payloads.EncodeEnvelopeAsync(part.Message, cancellationToken).ConfigureAwait(false);
                await _workItems.SendMessageAsync(envelope, retryIn, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
                await ConsumeAsync(part, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ActivityDone();
        }
    }

    // ---------------------------------------------------------------- processing loops

    private async Task RunWhileLeasedAsync(CancellationToken stopping)
    {
        // Pumps, renewals and everything they start are the worker's background work; the lease is not (below).
        using var priority = StorageRequestPriority.Background();
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await _lease.AcquireAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogError(ex, "Task hub {Hub}: acquiring the lease failed; retrying.", _options.TaskHubName);
                await Task.Delay(_options.LeaseAcquireInterval, stopping).ConfigureAwait(false);
                continue;
            }

            using var leased = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            int epoch;
            lock (_gate)
            {
                epoch = ++_leaseEpoch;
                _processing = true;
            }

            // Rows of an earlier build are moved before anything from the queues is processed (the lease is kept meanwhile).
            var migrated = Task.Run(() => MigrateLegacyRowsQuietlyAsync(leased.Token), CancellationToken.None);
            var loops = new[]
            {
                Task.Run(async () => { await migrated.ConfigureAwait(false); await ControlPumpAsync(leased.Token).ConfigureAwait(false); }, CancellationToken.None),
                Task.Run(async () => { await migrated.ConfigureAwait(false); await ActivityPumpAsync(leased.Token).ConfigureAwait(false); }, CancellationToken.None),
                Task.Run(() => RenewHeldMessagesAsync(leased.Token), CancellationToken.None),
                Task.Run(async () => { await migrated.ConfigureAwait(false); await RecoverStartsInRowsAsync(epoch, leased.Token).ConfigureAwait(false); }, CancellationToken.None),
            };
            await KeepLeaseAsync(leased.Token).ConfigureAwait(false);

            // The lease is gone (lost or stopping): stop pulling, and forget what was held in memory.
            await leased.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(loops).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Expected.
            }

            lock (_gate)
            {
                // Under the gate: a send finishing now either dispatched before this line (and is released or
                // forgotten below) or sees that this host no longer processes the hub.
                _processing = false;
            }

            if (stopping.IsCancellationRequested)
            {
                // A clean stop: hand the held messages and the lease to the next host at once (best effort: what
                // is not handed back becomes visible, and the lease expires, on its own).
                await ReleaseHeldAsync().ConfigureAwait(false);
                await _lease.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                ForgetHeld();
            }
        }
    }

    private async Task KeepLeaseAsync(CancellationToken cancellationToken)
    {
        var renewedAt = DateTimeOffset.UtcNow;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.LeaseRenewInterval, cancellationToken).ConfigureAwait(false);
                bool? renewed;
                using (StorageRequestPriority.Upkeep())
                {
                    // Never queued behind the worker's own requests: a late renewal loses the hub.
                    renewed = await _lease.RenewAsync(cancellationToken).ConfigureAwait(false);
                }

                switch (renewed)
                {
                    case true:
                        renewedAt = DateTimeOffset.UtcNow;
                        break;
                    case false:
                        return;
                    case null when DateTimeOffset.UtcNow - renewedAt >= _options.LeaseDuration:
                        // Storage stayed silent for a whole lease period: another host may hold the hub by now.
                        _logger.LogError("Task hub {Hub}: the lease could not be renewed for {Duration}; stopping processing.", _options.TaskHubName, _options.LeaseDuration);
                        return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ControlPumpAsync(CancellationToken cancellationToken)
    {
        var idle = TimeSpan.Zero;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (ControlBufferFull)
            {
                // The orchestration dispatchers are behind: the rest waits in the queue, where it needs no renewals.
                await WaitQuietlyAsync(_controlWake, TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
                continue;
            }

            IReadOnlyList<QueueMessage> received;
            try
            {
                received = await _control.ReceiveMessagesAsync(_options.ControlQueueBatchSize, _options.VisibilityTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogWarning(ex, "Receiving from {Queue} failed; retrying.", _names.ControlQueue);
                await WaitQuietlyAsync(_controlWake, _options.MaxPollingInterval, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (received.Count == 0)
            {
                idle = NextIdle(idle);
                await WaitQuietlyAsync(_controlWake, idle, cancellationToken).ConfigureAwait(false);
                continue;
            }

            idle = TimeSpan.Zero;
            foreach (var queueMessage in received)
            {
                await AcceptControlMessageAsync(queueMessage, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task AcceptControlMessageAsync(QueueMessage queueMessage, CancellationToken cancellationToken)
    {
        if (_held.TryGetValue(queueMessage.MessageId, out var already))
        {
            await TakeNewerReceiptAsync(already, queueMessage, cancellationToken).ConfigureAwait(false);
            return;
        }

        IReadOnlyList<TaskMessage> messages;
        try
        {
            messages = await _payloads.DecodeMessagesAsync(queueMessage.Body, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or StorageRequestFailedException)
        {
            _logger.LogError(ex, "Discarding unreadable message {MessageId} from {Queue}.", queueMessage.MessageId, _names.ControlQueue);
            await _control.DeleteMessageAsync(queueMessage.MessageId, queueMessage.PopReceipt, cancellationToken).ConfigureAwait(false);
            return;
        }

        _logger.LogDebug("Received {Count} message(s), first {EventType} for instance {InstanceId} (dequeue count {DequeueCount}).", messages.Count, messages[0].Event.GetType().Name, messages[0].InstanceId, queueMessage.DequeueCount);
        if (Interlocked.Add(ref _queuedControlParts, -messages.Count) < 0)
        {
            // Sent before this host held the lease, or by a client elsewhere: never counted.
            Interlocked.Exchange(ref _queuedControlParts, 0);
        }

        var held = new HeldMessage(_control, queueMessage, messages);

        // Timers travel alone; should a packed message carry one, the whole message waits for the latest.
        if (messages.Max(m => m.DeliverAt) is { } due && due > _time.GetUtcNow())
        {
            await HoldUntilDueAsync(held, due, cancellationToken).ConfigureAwait(false);
            return;
        }

        TryDispatchControl(held);
    }

    private async Task HoldUntilDueAsync(HeldMessage held, DateTimeOffset due, CancellationToken cancellationToken)
    {
        var wait = due - _time.GetUtcNow();
        if (wait > _options.TimerHoldWindow)
        {
            // Far off: park it in the queue again rather than in memory.
            var park = Min(wait - (_options.TimerHoldWindow / 2), _options.MaxTimerVisibilityDelay);
            try
            {
                await held.Queue.UpdateMessageAsync(held.MessageId, held.PopReceipt, park, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (StorageRequestFailedException ex) when (IsGoneOrSuperseded(ex))
            {
                // Taken meanwhile by a redelivery; that copy decides.
            }

            return;
        }

        if (!TryHold(held))
        {
            return;
        }

        HoldInMemoryUntil(held, due);
    }

    private void HoldInMemoryUntil(HeldMessage held, DateTimeOffset due)
    {
        var wait = due - _time.GetUtcNow();
        ITimer? timer = null;
        timer = _time.CreateTimer(
            _ =>
            {
                _timers.TryRemove(timer!, out byte _);
                timer!.Dispose();
                if (!held.Done)
                {
                    Buffer(held);
                }
            },
            null,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        _timers[timer] = 0;
        timer.Change(Max(wait, TimeSpan.Zero), Timeout.InfiniteTimeSpan);
    }

    private async Task ActivityPumpAsync(CancellationToken cancellationToken)
    {
        var idle = TimeSpan.Zero;
        while (!cancellationToken.IsCancellationRequested)
        {
            // Calls are taken from the queue only while fewer than ActivityPrefetch wait or run in this host; a
            // packed message may overshoot by its size.
            var room = _options.ActivityPrefetch - Volatile.Read(ref _activityBacklog);
            if (room <= 0)
            {
                await WaitQuietlyAsync(_activityRoom, _options.MaxPollingInterval, cancellationToken).ConfigureAwait(false);
                continue;
            }

            IReadOnlyList<QueueMessage> received;
            try
            {
                received = await _workItems.ReceiveMessagesAsync(Math.Min(32, room), _options.VisibilityTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                _logger.LogWarning(ex, "Receiving from {Queue} failed; retrying.", _names.WorkItemQueue);
                await WaitQuietlyAsync(_activityWake, _options.MaxPollingInterval, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (received.Count == 0)
            {
                idle = NextIdle(idle);
                await WaitQuietlyAsync(_activityWake, idle, cancellationToken).ConfigureAwait(false);
                continue;
            }

            idle = TimeSpan.Zero;
            foreach (var queueMessage in received)
            {
                if (_held.TryGetValue(queueMessage.MessageId, out var already))
                {
                    await TakeNewerReceiptAsync(already, queueMessage, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                try
                {
                    var messages = await _payloads.DecodeMessagesAsync(queueMessage.Body, cancellationToken).ConfigureAwait(false);
                    if (TryDispatchActivities(new HeldMessage(_workItems, queueMessage, messages)) && Interlocked.Add(ref _queuedCalls, -messages.Count) < 0)
                    {
                        // Sent before this host held the lease (or by another): not counted, so not subtracted.
                        Interlocked.Exchange(ref _queuedCalls, 0);
                    }
                }
                catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException or StorageRequestFailedException)
                {
                    _logger.LogError(ex, "Discarding unreadable message {MessageId} from {Queue}.", queueMessage.MessageId, _names.WorkItemQueue);
                    await _workItems.DeleteMessageAsync(queueMessage.MessageId, queueMessage.PopReceipt, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task RenewHeldMessagesAsync(CancellationToken cancellationToken)
    {
        var period = _options.VisibilityTimeout / 3;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // Renewals run side by side and ahead of the worker's other requests: a renewal that comes late lets the
            // message be delivered again, which costs a duplicate delivery and a receive.
            var threshold = DateTimeOffset.UtcNow + (_options.VisibilityTimeout / 2);
            var due = _held.Values.Where(h => !h.Done && h.VisibleAgainAt < threshold).ToList();
            using var priority = StorageRequestPriority.Upkeep();
            try
            {
                // Four at a time: a round of hundreds would otherwise queue a client's request behind sixteen of them.
                await Parallel.ForEachAsync(due.OrderBy(h => h.VisibleAgainAt), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, RenewAsync).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async ValueTask RenewAsync(HeldMessage held, CancellationToken cancellationToken)
    {
        await held.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (held.Done)
            {
                return;
            }

            // Starts held back by admission control wait minutes, not seconds: renewed for longer, they cost a
            // fraction of the requests (after a crash they reappear that much later).
            var visibility = held.AllWaiting ? WaitingStartVisibility : _options.VisibilityTimeout;
            var receipt = await held.Queue.UpdateMessageAsync(held.MessageId, held.PopReceipt, visibility, cancellationToken: cancellationToken).ConfigureAwait(false);
            held.PopReceipt = receipt.PopReceipt;
            held.VisibleAgainAt = receipt.NextVisibleOn;
        }
        catch (StorageRequestFailedException ex) when (IsGoneOrSuperseded(ex))
        {
            _logger.LogWarning("Held message {MessageId} could not be renewed (already redelivered); a duplicate delivery will be dropped.", held.MessageId);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
        {
            _logger.LogWarning(ex, "Renewing held message {MessageId} failed; retrying next round.", held.MessageId);
        }
        finally
        {
            held.Gate.Release();
        }
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Records a held message and buffers its parts for their instances, unless this host stopped processing.</summary>
    private bool TryDispatchControl(HeldMessage held)
    {
        lock (_gate)
        {
            if (!_processing)
            {
                return false;
            }

            _held[held.MessageId] = held;
            foreach (var part in held.Parts)
            {
                BufferLocked(part);
            }

            return true;
        }
    }

    /// <summary>Records a held message and hands its calls to the activity dispatcher, unless this host stopped processing.</summary>
    private bool TryDispatchActivities(HeldMessage held)
    {
        lock (_gate)
        {
            if (!_processing)
            {
                return false;
            }

            _held[held.MessageId] = held;
            Interlocked.Add(ref _activityBacklog, held.Parts.Count);
            foreach (var part in held.Parts)
            {
                _activities.Writer.TryWrite(new ActivityWorkItem(part.Message) { DequeueCount = Math.Max(1, (int)held.DequeueCount), BackendState = part });
            }

            return true;
        }
    }

    private bool TryHold(HeldMessage held)
    {
        lock (_gate)
        {
            if (_processing)
            {
                _held[held.MessageId] = held;
            }

            return _processing;
        }
    }

    private void Buffer(HeldMessage held)
    {
        lock (_gate)
        {
            if (_processing && !held.Done)
            {
                foreach (var part in held.Parts)
                {
                    BufferLocked(part);
                }
            }
        }
    }

    private void BufferLocked(HeldPart part)
    {
        // Admission control: while the activity calls this host knows of (held, running, or left in the queue
        // because the backlog was full) reach ActivityPrefetch, new instances wait here (held, in arrival order)
        // instead of starting and adding calls to a queue that grows without bound. Each finished call lets one in.
        if (part.Message.Event is ExecutionStartedEvent && Saturated)
        {
            part.Waiting = true;
            _waitingStarts.Enqueue(part);
            return;
        }

        AddToBufferLocked(part);
    }

    private void AddToBufferLocked(HeldPart part)
    {
        var instanceId = part.Message.InstanceId;
        if (!_buffers.TryGetValue(instanceId, out var buffer))
        {
            buffer = new InstanceBuffer();
            _buffers.Add(instanceId, buffer);
        }

        buffer.Pending.Add(part);
        _pendingParts++;
        QueueIfReady(instanceId, buffer);
    }

    private void Requeue(string instanceId, List<HeldPart> messages)
    {
        lock (_gate)
        {
            if (!_buffers.TryGetValue(instanceId, out var buffer))
            {
                buffer = new InstanceBuffer();
                _buffers.Add(instanceId, buffer);
            }

            buffer.Pending.InsertRange(0, messages);
            _pendingParts += messages.Count;
            buffer.Locked = false;
            QueueIfReady(instanceId, buffer);
        }
    }

    private void QueueIfReady(string instanceId, InstanceBuffer buffer)
    {
        if (!buffer.Locked && !buffer.Queued && buffer.Pending.Count > 0)
        {
            buffer.Queued = true;
            _ready.Writer.TryWrite(instanceId);
        }
    }

    /// <summary>
    /// True when ControlQueueBufferThreshold messages wait in memory for an episode. Each one held costs a
    /// visibility renewal every few seconds, so beyond it new messages are sent visible and the pump stops
    /// receiving until the dispatchers catch up (Durable Functions' controlQueueBufferThreshold). Timers and
    /// messages that wait for their instance's start are not counted: they cannot be taken sooner.
    /// </summary>
    private bool ControlBufferFull => Volatile.Read(ref _pendingParts) >= _options.ControlQueueBufferThreshold;

    /// <summary>
    /// True when the activity calls or the control messages this host knows of (held, or left in the queue because
    /// its buffers were full) reach their caps: new instances then wait to start. Every outstanding message costs
    /// Azure Storage (and far more, Azurite, whose queue operations scan every message) on each queue operation.
    /// </summary>
    private bool Saturated =>
        ActivityPressure >= _options.ActivityPrefetch
        || Volatile.Read(ref _pendingParts) + Math.Max(0, Volatile.Read(ref _queuedControlParts)) >= _options.ControlQueueBufferThreshold;

    /// <summary>How long a start held back by admission control stays hidden: never shorter than any other held message.</summary>
    private TimeSpan WaitingStartVisibility => Max(_options.WaitingStartVisibility, _options.VisibilityTimeout);

    /// <summary>Activity calls waiting or running in this host plus those it left in the queue.</summary>
    private int ActivityPressure => Volatile.Read(ref _activityBacklog) + Math.Max(0, Volatile.Read(ref _queuedCalls));

    private void ActivityDone()
    {
        var backlog = Interlocked.Decrement(ref _activityBacklog);
        if (backlog == _options.ActivityPrefetch - 1)
        {
            _activityRoom.Release();
        }

        TryAdmitStarts();
    }

    /// <summary>Lets waiting starts in, in arrival order, while this host is not saturated.</summary>
    private void TryAdmitStarts()
    {
        if (_waitingStarts.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            while (!Saturated && _waitingStarts.TryDequeue(out var start))
            {
                start.Waiting = false;
                if (!start.Held.Done)
                {
                    AddToBufferLocked(start);
                }
            }
        }
    }

    private async Task<List<(TaskMessage Message, string Envelope)>> EncodeAllAsync(IEnumerable<TaskMessage> messages, SemaphoreSlim throttle, CancellationToken cancellationToken)
    {
        // Encoding is local work unless an event is large enough to go to a blob; those uploads are throttled.
        var list = messages.ToList();
        var envelopes = new string[list.Count];
        await Task.WhenAll(list.Select((m, i) => Throttled(throttle, async () => envelopes[i] = await _payloads.EncodeEnvelopeAsync(m, cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false);
        return [.. list.Select((m, i) => (m, envelopes[i]))];
    }

    private async Task SendControlAsync(TaskMessage message, CancellationToken cancellationToken)
    {
        if (message.DeliverAt is { } due)
        {
            await SendTimerAsync(message, due, cancellationToken).ConfigureAwait(false);
            return;
        }

        var envelope = await _payloads.EncodeEnvelopeAsync(message, cancellationToken).ConfigureAwait(false);
        var outbox = StorageRequestPriority.IsBackground ? _controlOutbox : _clientOutbox;
        await outbox.SendAsync([(message, envelope)], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A durable timer: parked in the queue (invisible until shortly before it is due) when far off; when near
    /// and this host processes the hub, sent hidden and held in memory until due.
    /// </summary>
    private async Task SendTimerAsync(TaskMessage message, DateTimeOffset due, CancellationToken cancellationToken)
    {
        var body = await _payloads.EncodeEnvelopeAsync(message, cancellationToken).ConfigureAwait(false);
        var wait = due - _time.GetUtcNow();
        if (wait > _options.TimerHoldWindow || !_processing)
        {
            TimeSpan? delay = wait <= _options.TimerHoldWindow ? null : Min(wait - (_options.TimerHoldWindow / 2), _options.MaxTimerVisibilityDelay);
            await _control.SendMessageAsync(body, delay, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            _controlWake.Release();
            return;
        }

        var sent = await _control.SendMessageAsync(body, _options.HiddenSendVisibility, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        var held = new HeldMessage(_control, sent, [message]);
        if (TryHold(held))
        {
            HoldInMemoryUntil(held, due);
        }
        else
        {
            await MakeVisibleQuietlyAsync(held).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends one packed control message. While this host processes the hub it sends the message hidden and
    /// dispatches it itself: the queue keeps it for crash safety, and nobody has to receive it.
    /// </summary>
    /// <remarks>Starts that will wait for admission (the host is saturated) are sent hidden for as long as such a wait is renewed for.</remarks>
    private Task SendControlBatchAsync(IReadOnlyList<MessageOutbox.Entry> batch) =>
        SendPackedAsync(
            _control,
            batch,
            dispatchHere: !ControlBufferFull,
            TryDispatchControl,
            parts => Interlocked.Add(ref _queuedControlParts, parts),
            _controlWake,
            hiddenFor: Saturated && batch.All(e => e.Message.Event is ExecutionStartedEvent) ? WaitingStartVisibility : _options.HiddenSendVisibility);

    /// <summary>Sends one packed work-item message, dispatching it in this host when it has room for more calls.</summary>
    private Task SendActivityBatchAsync(IReadOnlyList<MessageOutbox.Entry> batch) =>
        SendPackedAsync(_workItems, batch, dispatchHere: Volatile.Read(ref _activityBacklog) < _options.ActivityPrefetch, TryDispatchActivities, parts => Interlocked.Add(ref _queuedCalls, parts), _activityWake, _options.HiddenSendVisibility);

    /// <summary>
    /// Sends hidden and dispatches here when this host processes the hub and has room; otherwise sends visible,
    /// counts what it left in the queue (while processing) and wakes the queue's pump.
    /// </summary>
    private async Task SendPackedAsync(
        QueueClient queue, IReadOnlyList<MessageOutbox.Entry> batch, bool dispatchHere, Func<HeldMessage, bool> dispatch, Action<int> leftInQueue, SemaphoreSlim wake, TimeSpan hiddenFor)
    {
        var body = PayloadStore.Pack([.. batch.Select(e => e.Envelope)]);
        if (!_processing || !dispatchHere)
        {
            await queue.SendMessageAsync(body, null, Timeout.InfiniteTimeSpan, CancellationToken.None).ConfigureAwait(false);
            if (_processing)
            {
                leftInQueue(batch.Count);
            }

            wake.Release();
            return;
        }

        var sent = await queue.SendMessageAsync(body, hiddenFor, Timeout.InfiniteTimeSpan, CancellationToken.None).ConfigureAwait(false);
        var held = new HeldMessage(queue, sent, [.. batch.Select(e => e.Message)]);
        if (!dispatch(held))
        {
            await MakeVisibleQuietlyAsync(held).ConfigureAwait(false);
        }
    }

    /// <summary>A message this host sent hidden but can no longer process: visible now for the next lease holder.</summary>
    private async Task MakeVisibleQuietlyAsync(HeldMessage held)
    {
        try
        {
            await held.Queue.UpdateMessageAsync(held.MessageId, held.PopReceipt, TimeSpan.Zero).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogDebug(ex, "Message {MessageId} becomes visible when its timeout ends.", held.MessageId);
        }
    }

    private static async Task TakeNewerReceiptAsync(HeldMessage already, QueueMessage redelivered, CancellationToken cancellationToken)
    {
        // Redelivered while still held (a renewal came too late): keep the newest receipt, not a second copy.
        await already.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            already.PopReceipt = redelivered.PopReceipt;
            already.VisibleAgainAt = redelivered.NextVisibleOn;
        }
        finally
        {
            already.Gate.Release();
        }
    }

    /// <summary>Consumes one part; the queue message is deleted with its last part.</summary>
    private Task ConsumeAsync(HeldPart part, CancellationToken cancellationToken) =>
        part.Held.ConsumePart() ? DeleteHeldAsync(part.Held, cancellationToken) : Task.CompletedTask;

    private async Task DeleteHeldAsync(HeldMessage held, CancellationToken cancellationToken)
    {
        await held.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (held.Done)
            {
                return;
            }

            if (held.InRow)
            {
                // The first episode replaced the row that carried the start.
                held.Done = true;
                lock (_gate)
                {
                    _startsInRow.Remove(held.Parts[0].Message.InstanceId);
                }

                return;
            }

            try
            {
                await held.Queue.DeleteMessageAsync(held.MessageId, held.PopReceipt, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageRequestFailedException ex) when (IsGoneOrSuperseded(ex))
            {
                // Already gone, or redelivered under a new receipt: the duplicate is dropped on arrival.
            }

            held.Done = true;
            _held.TryRemove(held.MessageId, out _);
        }
        finally
        {
            held.Gate.Release();
        }
    }

    private async Task ReleaseHeldAsync(HeldMessage held, TimeSpan visibleIn)
    {
        await held.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (held.Done)
            {
                return;
            }

            held.Done = true;
            _held.TryRemove(held.MessageId, out _);
            await held.Queue.UpdateMessageAsync(held.MessageId, held.PopReceipt, visibleIn).ConfigureAwait(false);
        }
        catch (StorageRequestFailedException ex) when (IsGoneOrSuperseded(ex))
        {
            // Already visible again.
        }
        finally
        {
            held.Gate.Release();
        }
    }

    /// <summary>On a clean stop, hands every held message back to the queue at once, for the next host.</summary>
    private async Task ReleaseHeldAsync()
    {
        var results = TakeHandedOverResults();
        DropDispatchState();
        await SendHandedOverResultsAsync(results).ConfigureAwait(false);

        foreach (var batch in _held.Values.ToList().Chunk(32))
        {
            await Task.WhenAll(batch.Select(ReleaseHeldQuietlyAsync)).ConfigureAwait(false);
        }

        _historyCounts.Clear();
        _rows.Clear();
    }

    /// <summary>Results handed over in memory and not yet recorded by an episode (see <see cref="TryHandOverResult"/>).</summary>
    private List<HeldPart> TakeHandedOverResults()
    {
        lock (_gate)
        {
            return [.. _buffers.Values.Where(b => !b.Locked).SelectMany(b => b.Pending.Concat(b.Deferred)).Where(p => p.Held.Queue == _workItems)];
        }
    }

    /// <summary>On a clean stop, sends results only this host knew to the control queue, so the next host does not run their activities again.</summary>
    private async Task SendHandedOverResultsAsync(List<HeldPart> results)
    {
        if (results.Count == 0)
        {
            return;
        }

        try
        {
            var entries = new List<(TaskMessage Message, string Envelope)>(results.Count);
            foreach (var result in results)
            {
                entries.Add((result.Message, await _payloads.EncodeEnvelopeAsync(result.Message, CancellationToken.None).ConfigureAwait(false)));
            }

            await _controlOutbox.SendAsync(entries, CancellationToken.None).ConfigureAwait(false);
            await Task.WhenAll(results.Select(r => ConsumeAsync(r, CancellationToken.None))).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogWarning(ex, "Handing {Count} activity result(s) to the next host failed; their activities run again.", results.Count);
        }
    }

    private async Task ReleaseHeldQuietlyAsync(HeldMessage held)
    {
        try
        {
            await ReleaseHeldAsync(held, TimeSpan.Zero).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogDebug(ex, "Releasing message {MessageId} failed; it becomes visible when its timeout ends.", held.MessageId);
        }
    }

    /// <summary>Empties the buffers and counters of what this host was dispatching (the lease is gone or going).</summary>
    private void DropDispatchState()
    {
        lock (_gate)
        {
            _buffers.Clear();
            _waitingStarts.Clear();
            _startsInRow.Clear();
            _queuedCalls = 0;
            _pendingParts = 0;
            _queuedControlParts = 0;
        }

        while (_activities.Reader.TryRead(out _))
        {
            ActivityDone();
        }
    }

    private void ForgetHeld()
    {
        DropDispatchState();

        foreach (var held in _held.Values)
        {
            held.Done = true;
        }

        _held.Clear();
        _historyCounts.Clear();
        _rows.Clear();
    }

    private async Task DropBufferedMessagesAsync(string instanceId, CancellationToken cancellationToken)
    {
        List<HeldPart> dropped;
        lock (_gate)
        {
            if (!_buffers.TryGetValue(instanceId, out var buffer) || buffer.Locked)
            {
                return;
            }

            dropped = buffer.Pending;
            _pendingParts -= dropped.Count;
            _buffers.Remove(instanceId);
        }

        foreach (var part in dropped)
        {
            await ConsumeAsync(part, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task EnsureChildRowAsync(string childId, ExecutionStartedEvent start, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var state = new OrchestrationState(childId, start.Name, start.ExecutionId, OrchestrationRuntimeStatus.Pending, now, now, Input: start.Input, ParentInstanceId: start.Parent?.InstanceId);
        var entity = await InstanceRows.ToEntityAsync(state, _payloads, cancellationToken).ConfigureAwait(false);
        try
        {
            await _instances.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            NoteFreshExecution(state);
        }
        catch (StorageRequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await GetStateAsync(childId, cancellationToken).ConfigureAwait(false);
            if (existing is { } old && old.RuntimeStatus.IsTerminal() && old.ExecutionId != start.ExecutionId)
            {
                // A parent re-running a finished child id (a retry) starts it afresh.
                await _instances.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                _historyCounts.TryRemove(childId, out _);
            }
        }
    }

    private async Task WriteInstanceRowAsync(OrchestrationState state, bool callsPending, CancellationToken cancellationToken)
    {
        if (_rows.TryGetValue(state.InstanceId, out var cached) && MayDeferRowWrite(cached.Stored, state, callsPending))
        {
            // Nothing a reader acts on changed: the row keeps its older LastUpdatedTime (and custom status, while
            // the episode's activity calls will bring another episode) until InstanceRowRefreshInterval has passed
            // or anything else changes. Status reads and listings on this host see the newer row.
            _rows[state.InstanceId] = cached with { Latest = state };
            return;
        }

        var entity = await InstanceRows.ToEntityAsync(state, _payloads, cancellationToken).ConfigureAwait(false);
        try
        {
            await _instances.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _rows.TryRemove(state.InstanceId, out _);
            throw;
        }

        if (state.RuntimeStatus.IsTerminal())
        {
            _rows.TryRemove(state.InstanceId, out _);
        }
        else
        {
            _rows[state.InstanceId] = new CachedRow(state, state);
        }
    }

    /// <summary>
    /// True when the stored row may stay as it is: within the refresh interval, the status, output and failure
    /// unchanged, and either only the time moved, or only the time and custom status moved while activity calls are
    /// outstanding (their results bring the next episode, which writes or defers again; an instance that goes on to
    /// wait for an event or a timer has its custom status written before it waits).
    /// </summary>
    private bool MayDeferRowWrite(OrchestrationState stored, OrchestrationState state, bool callsPending) =>
        !state.RuntimeStatus.IsTerminal()
        && state.LastUpdatedAt - stored.LastUpdatedAt < _options.InstanceRowRefreshInterval
        && (state with { LastUpdatedAt = stored.LastUpdatedAt } == stored
            || (callsPending && state with { LastUpdatedAt = stored.LastUpdatedAt, CustomStatus = stored.CustomStatus } == stored));

    private static bool StartsAnotherExecution(List<HeldPart> messages, OrchestrationState cached) =>
        messages.Exists(m => m.Message.Event is ExecutionStartedEvent start && start.ExecutionId != cached.ExecutionId);

    private async Task AppendHistoryAsync(string instanceId, OrchestrationCommit commit, CancellationToken cancellationToken)
    {
        if (commit.ResetHistory)
        {
            // A new execution starts its history at row 0; the old execution's rows are deleted after the commit.
            _historyCounts[instanceId] = (commit.State!.ExecutionId, 0);
            if (commit.NewEvents.Count == 0)
            {
                return;
            }
        }

        var executionId = commit.State?.ExecutionId
            ?? (await GetStateAsync(instanceId, cancellationToken).ConfigureAwait(false))?.ExecutionId
            ?? throw new InvalidOperationException($"Instance '{instanceId}' has no row; its history cannot be written.");
        if (!_historyCounts.TryGetValue(instanceId, out var known) || known.ExecutionId != executionId)
        {
            known = (executionId, (await ReadHistoryAsync(instanceId, executionId, cancellationToken).ConfigureAwait(false)).Count);
        }

        var rows = new List<TableTransactionAction>(commit.NewEvents.Count);
        for (var i = 0; i < commit.NewEvents.Count; i++)
        {
            var row = new TableEntity(instanceId, HistoryRowKey(executionId, known.Count + i));
            var json = JsonSerializer.Serialize(commit.NewEvents[i], PayloadStore.Json);
            var (inline, blob) = await _payloads.StoreValueAsync(instanceId, "history", json, cancellationToken).ConfigureAwait(false);
            row["Event"] = inline;
            row["EventBlob"] = blob;
            rows.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, row));
        }

        // Upserts keyed by position: a repeated write after a crash rewrites the same rows. Transactions go one
        // after another, so a failure leaves a prefix of the episode (whose messages were already sent), never
        // a gap a replay could not make sense of.
        foreach (var chunk in rows.Chunk(100))
        {
            await _history.SubmitTransactionAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        _historyCounts[instanceId] = (executionId, known.Count + commit.NewEvents.Count);
    }

    private async Task<List<HistoryEvent>> ReadHistoryAsync(string instanceId, string executionId, CancellationToken cancellationToken)
    {
        var filter = TableFilter.And(TableFilter.Format($"PartitionKey eq {instanceId}"), TableFilter.StartsWith("RowKey", executionId + "-"));
        var events = new List<HistoryEvent>();
        await foreach (var row in _history.QueryAsync(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var json = row.GetString("EventBlob") is { } blob
                ? await _payloads.DownloadAsync(blob, cancellationToken).ConfigureAwait(false)
                : row.GetString("Event") ?? throw new InvalidDataException($"History row {instanceId}/{row.RowKey} has no event.");
            events.Add(JsonSerializer.Deserialize<HistoryEvent>(json, PayloadStore.Json)!);
        }

        return events;
    }

    private async Task DeleteHistoryRowsAsync(string instanceId, string? executionToKeep, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await foreach (var row in _history.QueryAsync(TableFilter.Format($"PartitionKey eq {instanceId}"), ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (executionToKeep is null || !row.RowKey.StartsWith(executionToKeep + "-", StringComparison.Ordinal))
            {
                keys.Add(row.RowKey);
            }
        }

        foreach (var chunk in keys.Chunk(100))
        {
            var deletes = chunk.Select(rk => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(instanceId, rk) { ETag = "*" })).ToList();
            await _history.SubmitTransactionAsync(deletes, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DeleteHistoryRowsQuietlyAsync(string instanceId, string executionToKeep)
    {
        try
        {
            await DeleteHistoryRowsAsync(instanceId, executionToKeep, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogWarning(ex, "Deleting the previous execution's history of {InstanceId} failed; purge removes it.", instanceId);
        }
    }

    private static string HistoryRowKey(string executionId, int index) => $"{executionId}-{index.ToString("D8", CultureInfo.InvariantCulture)}";

    private static async Task Throttled(SemaphoreSlim throttle, Func<Task> work)
    {
        await throttle.WaitAsync().ConfigureAwait(false);
        try
        {
            await work().ConfigureAwait(false);
        }
        finally
        {
            throttle.Release();
        }
    }

    private TimeSpan NextIdle(TimeSpan idle) =>
        idle == TimeSpan.Zero ? TimeSpan.FromMilliseconds(10) : Min(idle * 2, _options.MaxPollingInterval);

    private static async Task WaitQuietlyAsync(SemaphoreSlim wake, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            if (await wake.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
            {
                // Collapse a burst of wake-ups into one poll.
                while (wake.Wait(0))
                {
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>404 MessageNotFound (deleted) or 400 PopReceiptMismatch (received again under a newer receipt).</summary>
    private static bool IsGoneOrSuperseded(StorageRequestFailedException ex) =>
        ex.Status == 404 || (ex.Status == 400 && ex.ErrorCode == "PopReceiptMismatch");

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string? EncodeToken(TableContinuationToken? token) =>
        token is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes($"{token.NextPartitionKey}\n{token.NextRowKey}"));

    private static TableContinuationToken? DecodeToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('\n');
            return new TableContinuationToken(parts[0], parts.Length > 1 && parts[1].Length > 0 ? parts[1] : null);
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"The continuation token '{token}' is not one this task hub issued.", nameof(token), ex);
        }
    }

    /// <summary>An instance row this host wrote: the latest state, and the one last stored (they differ only in LastUpdatedAt).</summary>
    private sealed record CachedRow(OrchestrationState Latest, OrchestrationState Stored);

    private sealed class InstanceBuffer
    {
        public List<HeldPart> Pending { get; set; } = [];

        /// <summary>Held messages that arrived before the start; dispatched with the next message, not alone.</summary>
        public List<HeldPart> Deferred { get; } = [];

        public bool Locked { get; set; }

        public bool Queued { get; set; }
    }
}
