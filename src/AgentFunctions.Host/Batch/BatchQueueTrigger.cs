using System.Text;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Host.Operations;
using AgentFunctions.Research.Publishing;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Host.Batch;

/// <summary>
/// The <c>research-batch</c> queue trigger, run as the Functions host runs a queue trigger (host.json
/// <c>extensions.queues</c>) with the Azure Storage Queues SDK: polls with exponential backoff up to
/// <c>maxPollingInterval</c>, takes up to <c>batchSize</c> messages and handles them concurrently, fetches the
/// next batch once no more than <c>newBatchThreshold</c> are still being handled, keeps each one hidden while it
/// is handled, deletes it on success, leaves it for redelivery on failure, and moves it intact to
/// <c>research-batch-poison</c> after <c>maxDequeueCount</c> failed deliveries. Each message starts one
/// <c>BatchOrchestrator</c> with instance id <c>batch-&lt;batchId&gt;</c> through <see cref="IBatchStarter"/>;
/// a redelivered message finds that instance and starts nothing.
/// </summary>
public sealed partial class BatchQueueTrigger : BackgroundService, IBatchQueueMonitor
{
    /// <summary>The queue the trigger reads.</summary>
    public const string QueueName = "research-batch";

    /// <summary>Where messages go after <c>maxDequeueCount</c> failed deliveries (the Functions naming: queue + "-poison").</summary>
    public const string PoisonQueueName = QueueName + "-poison";

    /// <summary>How long a received message stays hidden when host.json's <c>visibilityTimeout</c> is 0.</summary>
    public static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan _minPollingInterval = TimeSpan.FromMilliseconds(100);
    private static readonly UTF8Encoding _strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly QueueClient _queue;
    private readonly QueueClient _poison;
    private readonly IBatchStarter _starter;
    private readonly QueuesHostSettings _settings;
    private readonly CallbackUrlPolicy _callbackPolicy;
    private readonly TimeProvider _time;
    private readonly ILogger<BatchQueueTrigger> _logger;
    private readonly TimeSpan _lease;

    /// <summary>Creates the trigger.</summary>
    /// <param name="connection">
    /// The storage account. The trigger's queue clients use message encoding None: it decodes bodies itself per
    /// host.json, and forwards poison messages byte for byte.
    /// </param>
    /// <param name="starter">Starts the batch orchestration a message asks for.</param>
    /// <param name="settings">The host's settings (host.json <c>extensions.queues</c>).</param>
    /// <param name="callbackPolicy">Judges each question's <c>callbackUrl</c> as <c>POST /api/research</c> does.</param>
    /// <param name="time">The clock for polling delays.</param>
    /// <param name="logger">The logger.</param>
    public BatchQueueTrigger(
        StorageConnection connection,
        IBatchStarter starter,
        HostSettings settings,
        CallbackUrlPolicy callbackPolicy,
        TimeProvider time,
        ILogger<BatchQueueTrigger> logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(starter);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(callbackPolicy);
        var queues = connection.CreateQueueServiceClient(Azure.Storage.Queues.QueueMessageEncoding.None);
        _queue = queues.GetQueueClient(QueueName);
        _poison = queues.GetQueueClient(PoisonQueueName);
        _starter = starter;
        _settings = settings.Queues;
        _callbackPolicy = callbackPolicy;
        _time = time;
        _logger = logger;

        // Receive takes whole seconds, at least one.
        _lease = _settings.VisibilityTimeout > TimeSpan.Zero
            ? TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(_settings.VisibilityTimeout.TotalSeconds)))
            : DefaultLease;
    }

    /// <inheritdoc />
    public async Task<BatchQueueDepth> GetDepthAsync(CancellationToken cancellationToken)
    {
        // The storage service's approximate counts: one request per queue, no message is read.
        var waiting = await ApproximateCountAsync(_queue, cancellationToken);
        var poison = await ApproximateCountAsync(_poison, cancellationToken);
        return new BatchQueueDepth(QueueName, waiting, poison);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarting(QueueName, _settings.BatchSize, _settings.NewBatchThreshold, _settings.MaxDequeueCount, _settings.MessageEncoding, _settings.MaxPollingInterval);
        var delay = TimeSpan.Zero;
        var queuesReady = false;
        var handling = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // As the Functions queue listener: the next batch is fetched once no more than newBatchThreshold
                // messages of earlier ones are still being handled.
                handling.RemoveAll(t => t.IsCompleted);
                while (handling.Count > _settings.NewBatchThreshold)
                {
                    await Task.WhenAny(handling);
                    handling.RemoveAll(t => t.IsCompleted);
                }

                QueueMessage[] messages;
                try
                {
                    if (!queuesReady)
                    {
                        await _queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                        await _poison.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                        queuesReady = true;
                    }

                    messages = (await _queue.ReceiveMessagesAsync(_settings.BatchSize, _lease, stoppingToken)).Value;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (StorageErrors.IsStorageFailure(ex) || ex is OperationCanceledException)
                {
                    LogPollFailed(ex, QueueName);
                    messages = [];
                }

                if (messages.Length > 0)
                {
                    delay = TimeSpan.Zero;
                    handling.AddRange(messages.Select(m => HandleAsync(m, stoppingToken)));
                    continue;
                }

                // As the Functions queue listener: double the wait while the queue stays empty, up to the maximum.
                delay = delay == TimeSpan.Zero ? _minPollingInterval : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _settings.MaxPollingInterval.Ticks));
                try
                {
                    await Task.Delay(delay, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
        finally
        {
            // Messages being handled see the stop and are left to reappear; wait for them to say so.
            await Task.WhenAll(handling);
        }
    }

    private static async Task<long> ApproximateCountAsync(QueueClient queue, CancellationToken cancellationToken)
    {
        // A queue not created yet (the trigger creates both on its first poll) holds nothing.
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        return (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
    }

    private async Task HandleAsync(QueueMessage message, CancellationToken stoppingToken)
    {
        // Yield first: the poll loop starts every message of a batch before any of them runs its first request.
        await Task.Yield();
        using var scope = _logger.BeginScope("QueueMessageId:{MessageId}", message.MessageId);
        var receipt = new PopReceiptHolder(message.PopReceipt);
        string? batchId = null;
        try
        {
            if (message.DequeueCount > _settings.MaxDequeueCount)
            {
                // Delivered too often without an outcome (e.g. the host died while handling it each time).
                await MoveToPoisonAsync(message, receipt, null, $"delivered {message.DequeueCount} times without being handled", stoppingToken);
                return;
            }

            string failure;
            using (var handling = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                var renewal = KeepHiddenAsync(message, receipt, handling.Token);
                try
                {
                    (batchId, failure) = await ProcessAsync(message, stoppingToken);
                }
                finally
                {
                    await handling.CancelAsync();
                    await renewal;
                }
            }

            if (failure.Length == 0)
            {
                await _queue.DeleteMessageAsync(message.MessageId, receipt.Value, stoppingToken);
                return;
            }

            if (message.DequeueCount >= _settings.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, receipt, batchId, failure, stoppingToken);
                return;
            }

            LogWillRetry(message.MessageId, batchId ?? "(unknown)", message.DequeueCount, _settings.MaxDequeueCount, failure);

            // host.json visibilityTimeout is the delay before a failed message is tried again (0: at once).
            await _queue.UpdateMessageAsync(message.MessageId, receipt.Value, visibilityTimeout: _settings.VisibilityTimeout, cancellationToken: stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the message reappears when its visibility lapses and is handled then.
        }
        catch (Exception ex)
        {
            // Could not settle the message (e.g. its receipt was superseded after a lost renewal); it comes back.
            // Anything else is caught here too, as the Functions host does: one message must not stop the trigger.
            LogSettleFailed(ex, message.MessageId, batchId ?? "(unknown)");
        }
    }

    /// <summary>Starts the batch; returns the batch id when known and an empty failure, or why it failed.</summary>
    private async Task<(string? BatchId, string Failure)> ProcessAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            body = Decode(message.Body.ToString());
        }
        catch (FormatException ex)
        {
            return (null, ex.Message);
        }

        var parsed = BatchMessageParser.Parse(body, _callbackPolicy);
        if (parsed.Request is not { } request)
        {
            return (parsed.BatchId, $"The batch message is invalid: {parsed.Describe()}");
        }

        var instanceId = BatchMessageParser.InstanceId(request.BatchId);
        try
        {
            var start = await _starter.StartAsync(instanceId, request, cancellationToken);
            if (start.Started)
            {
                LogStarted(instanceId, request.Questions.Count, message.MessageId);
            }
            else
            {
                LogDuplicate(instanceId, start.ExistingStatus ?? "unknown", message.MessageId, message.DequeueCount);
            }

            return (request.BatchId, string.Empty);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogProcessingFailed(ex, message.MessageId, request.BatchId);
            return (request.BatchId, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private string Decode(string messageText)
    {
        if (_settings.MessageEncoding == Configuration.QueueMessageEncoding.None)
        {
            return messageText;
        }

        try
        {
            return _strictUtf8.GetString(Convert.FromBase64String(messageText));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new FormatException(
                "The message is not base64-encoded UTF-8, which host.json extensions.queues.messageEncoding 'base64' requires "
                + "(send it encoded, or set messageEncoding to 'none').", ex);
        }
    }

    private async Task KeepHiddenAsync(QueueMessage message, PopReceiptHolder receipt, CancellationToken cancellationToken)
    {
        var interval = _lease / 2;
        try
        {
            while (true)
            {
                await Task.Delay(interval, _time, cancellationToken);
                var update = await _queue.UpdateMessageAsync(message.MessageId, receipt.Value, visibilityTimeout: _lease, cancellationToken: cancellationToken);
                receipt.Value = update.Value.PopReceipt;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Handling finished.
        }
        catch (Exception ex) when (StorageErrors.IsStorageFailure(ex) || ex is OperationCanceledException)
        {
            // Another delivery may now take the message; starting a batch is idempotent, so that is safe.
            LogRenewFailed(ex, message.MessageId);
        }
    }

    private async Task MoveToPoisonAsync(QueueMessage message, PopReceiptHolder receipt, string? batchId, string reason, CancellationToken cancellationToken)
    {
        // The clients' encoding is None, so the stored text is forwarded exactly as it arrived.
        await _poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
        await _queue.DeleteMessageAsync(message.MessageId, receipt.Value, cancellationToken);
        LogPoisoned(message.MessageId, batchId ?? "(unknown)", message.DequeueCount, PoisonQueueName, reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue trigger on '{Queue}' started (batchSize {BatchSize}, newBatchThreshold {NewBatchThreshold}, maxDequeueCount {MaxDequeueCount}, encoding {Encoding}, maxPollingInterval {MaxPollingInterval})")]
    private partial void LogStarting(string queue, int batchSize, int newBatchThreshold, int maxDequeueCount, Configuration.QueueMessageEncoding encoding, TimeSpan maxPollingInterval);

    [LoggerMessage(Level = LogLevel.Information, Message = "Batch {InstanceId} started with {QuestionCount} questions from queue message {MessageId}")]
    private partial void LogStarted(string instanceId, int questionCount, string messageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Batch {InstanceId} already exists ({RuntimeStatus}); queue message {MessageId} (delivery {DequeueCount}) starts nothing and is deleted")]
    private partial void LogDuplicate(string instanceId, string runtimeStatus, string messageId, long dequeueCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue message {MessageId} (batch {BatchId}) failed on delivery {DequeueCount} of {MaxDequeueCount}; it will be retried: {Reason}")]
    private partial void LogWillRetry(string messageId, string batchId, long dequeueCount, int maxDequeueCount, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue message {MessageId} (batch {BatchId}) moved to '{PoisonQueue}' after {DequeueCount} deliveries: {Reason}")]
    private partial void LogPoisoned(string messageId, string batchId, long dequeueCount, string poisonQueue, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue message {MessageId} (batch {BatchId}) could not start its batch")]
    private partial void LogProcessingFailed(Exception exception, string messageId, string batchId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling queue '{Queue}' failed; retrying after the backoff")]
    private partial void LogPollFailed(Exception exception, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not keep queue message {MessageId} hidden; another delivery may handle it too")]
    private partial void LogRenewFailed(Exception exception, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete, release or move queue message {MessageId} (batch {BatchId}); it will be delivered again")]
    private partial void LogSettleFailed(Exception exception, string messageId, string batchId);

    /// <summary>The current pop receipt of a delivery: each visibility renewal replaces it.</summary>
    private sealed class PopReceiptHolder(string value)
    {
        private string _value = value;

        public string Value
        {
            get => Volatile.Read(ref _value);
            set => Volatile.Write(ref _value, value);
        }
    }
}
