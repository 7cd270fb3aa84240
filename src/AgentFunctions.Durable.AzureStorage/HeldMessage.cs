using AgentFunctions.Durable.History;
using AgentFunctions.Storage.Queues;

namespace AgentFunctions.Durable.AzureStorage;

/// <summary>
/// A queue message this host holds and has not yet deleted: invisible to others while its visibility is
/// renewed. It carries one task message or a packed batch of them (its parts); it is deleted once every part
/// has been consumed. Renewal and deletion take the same gate, so a delete always uses the newest pop receipt.
/// </summary>
internal sealed class HeldMessage
{
    private int _remaining;

    public HeldMessage(QueueClient queue, string messageId, string popReceipt, DateTimeOffset visibleAgainAt, long dequeueCount, IReadOnlyList<TaskMessage> messages)
    {
        ArgumentOutOfRangeException.ThrowIfZero(messages.Count);
        Queue = queue;
        MessageId = messageId;
        PopReceipt = popReceipt;
        VisibleAgainAt = visibleAgainAt;
        DequeueCount = dequeueCount;
        Parts = [.. messages.Select(m => new HeldPart(this, m))];
        _remaining = Parts.Count;
    }

    /// <summary>A message received from the queue.</summary>
    public HeldMessage(QueueClient queue, QueueMessage received, IReadOnlyList<TaskMessage> messages)
        : this(queue, received.MessageId, received.PopReceipt, received.NextVisibleOn, received.DequeueCount, messages)
    {
    }

    /// <summary>A message this host sent hidden and dispatches itself, without receiving it first.</summary>
    public HeldMessage(QueueClient queue, QueueSendReceipt sent, IReadOnlyList<TaskMessage> messages)
        : this(queue, sent.MessageId, sent.PopReceipt, sent.NextVisibleOn, 0, messages)
    {
    }

    /// <summary>
    /// A start carried by its instance's Pending row instead of a queue message (see
    /// AzureStorageOrchestrationBackend.CreateNewInstanceAsync): nothing to renew, release or delete; it is done
    /// when the first episode has replaced that row.
    /// </summary>
    public static HeldMessage ForStartInRow(QueueClient control, TaskMessage start) =>
        new(control, "row:" + start.InstanceId, "", DateTimeOffset.MaxValue, 0, [start]) { InRow = true };

    /// <summary>True for a start carried by its instance row (<see cref="ForStartInRow"/>), not by a queue message.</summary>
    public bool InRow { get; private init; }

    public SemaphoreSlim Gate { get; } = new(1, 1);

    public QueueClient Queue { get; }

    public string MessageId { get; }

    public string PopReceipt { get; set; }

    public DateTimeOffset VisibleAgainAt { get; set; }

    public long DequeueCount { get; }

    public IReadOnlyList<HeldPart> Parts { get; }

    /// <summary>Set once deleted or released, so renewal leaves it alone.</summary>
    public bool Done { get; set; }

    /// <summary>True when every part is a start held back by admission control.</summary>
    public bool AllWaiting => Parts.All(p => p.Waiting);

    /// <summary>Marks one part consumed; true when it was the last, and the queue message can go.</summary>
    public bool ConsumePart() => Interlocked.Decrement(ref _remaining) == 0;
}

/// <summary>One task message of a held queue message.</summary>
internal sealed class HeldPart(HeldMessage held, TaskMessage message)
{
    public HeldMessage Held { get; } = held;

    private volatile bool _waiting;

    public TaskMessage Message { get; } = message;

    /// <summary>True while it is a start held back by admission control (renewed rarely: nothing is waiting on it).</summary>
    public bool Waiting
    {
        get => _waiting;
        set => _waiting = value;
    }
}
