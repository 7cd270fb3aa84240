using AgentFunctions.Durable.History;
using AgentFunctions.Storage.Queues;

namespace AgentFunctions.Durable.AzureStorage;

/// <summary>
/// A queue message this host has received and not yet deleted: invisible to others while its visibility is
/// renewed. Renewal and deletion take the same gate, so a delete always uses the newest pop receipt.
/// </summary>
internal sealed class HeldMessage(QueueClient queue, QueueMessage received, TaskMessage message)
{
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public QueueClient Queue { get; } = queue;

    public string MessageId { get; } = received.MessageId;

    public string PopReceipt { get; set; } = received.PopReceipt;

    public DateTimeOffset VisibleAgainAt { get; set; } = received.NextVisibleOn;

    public long DequeueCount { get; } = received.DequeueCount;

    public TaskMessage Message { get; } = message;

    /// <summary>Set once deleted or released, so renewal leaves it alone.</summary>
    public bool Done { get; set; }
}
