using AgentFunctions.Host.Batch;
using AgentFunctions.Research.Orchestration;
using AgentFunctions.Research.Publishing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Functions.Functions;

/// <summary>
/// The <c>research-batch</c> queue trigger: one batch orchestration per message, id <c>batch-&lt;batchId&gt;</c>. The
/// Functions host decodes the message (host.json <c>extensions.queues.messageEncoding</c>), deletes it when this returns,
/// makes it visible again when this throws, and after <c>maxDequeueCount</c> failures moves it to
/// <c>research-batch-poison</c>.
/// </summary>
public sealed class BatchQueueFunction(CallbackUrlPolicy callbackPolicy, ILogger<BatchQueueFunction> logger)
{
    /// <summary>The queue the trigger reads.</summary>
    public const string QueueName = "research-batch";

    /// <summary>The connection setting: <c>AzureWebJobsStorage</c> (a connection string or <c>__accountName</c> for identity).</summary>
    public const string Connection = "AzureWebJobsStorage";

    /// <summary>Starts the batch a message describes, once.</summary>
    /// <exception cref="InvalidBatchMessageException">The message is not a valid batch; it is retried and then poisoned.</exception>
    [Function("StartResearchBatch")]
    public async Task RunAsync(
        [QueueTrigger(QueueName, Connection = Connection)] string message,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var parsed = BatchMessageParser.Parse(message ?? string.Empty, callbackPolicy);
        if (parsed.Request is not { } request)
        {
            // Thrown, not swallowed: the runtime's retries and poison queue keep the message for whoever fixes it.
            throw new InvalidBatchMessageException(parsed.BatchId, parsed.Describe());
        }

        var instanceId = BatchMessageParser.InstanceId(request.BatchId);
        using var scope = logger.BeginScope("InstanceId:{InstanceId}", instanceId);
        if (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken) is { } existing)
        {
            // A redelivery (or a resent message) of a batch already started: starting it again would run it twice.
            logger.LogInformation("Batch {InstanceId} already exists ({Status}); the message starts nothing", instanceId, existing.RuntimeStatus);
            return;
        }

        await client.ScheduleNewOrchestrationInstanceAsync(nameof(BatchOrchestrator), request, new StartOrchestrationOptions(instanceId), cancellationToken);
        logger.LogInformation("Batch {InstanceId} started with {Count} questions", instanceId, request.Questions.Count);
    }
}

/// <summary>A <c>research-batch</c> message that is not a valid batch; the message names every problem.</summary>
public sealed class InvalidBatchMessageException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="batchId">The batch id, when it could be read.</param>
    /// <param name="problems">Every problem found, each naming its field.</param>
    public InvalidBatchMessageException(string? batchId, string problems)
        : base($"Invalid research-batch message{(batchId is null ? string.Empty : $" for batch '{batchId}'")}: {problems}") => BatchId = batchId;

    /// <summary>Creates the exception.</summary>
    public InvalidBatchMessageException()
        : this(null, "unspecified problem")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public InvalidBatchMessageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public InvalidBatchMessageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The batch id, when it could be read.</summary>
    public string? BatchId { get; }
}
