using AgentFunctions.Durable.History;
using AgentFunctions.Storage;

namespace AgentFunctions.Durable.AzureStorage;

/// <summary>
/// Group commit for one queue: task messages handed in while earlier sends are in flight are packed into
/// one queue message (up to a count and a byte size), so a burst costs a few storage requests instead of one
/// per message. An idle outbox sends at once: batching adds no wait, it only collects what is already waiting.
/// </summary>
internal sealed class MessageOutbox
{
    private readonly Func<IReadOnlyList<Entry>, Task> _send;
    private readonly int _maxParts;
    private readonly int _maxBytes;
    private readonly int _maxInFlight;
    private readonly bool _background;
    private readonly Lock _gate = new();
    private readonly Queue<Entry> _pending = new();
    private int _inFlight;

    /// <param name="send">Sends one packed queue message carrying the given entries.</param>
    /// <param name="maxParts">Task messages per queue message at most.</param>
    /// <param name="maxBytes">Packed body bytes at most (before the queue's base64).</param>
    /// <param name="maxInFlight">Queue messages being sent at once at most.</param>
    /// <param name="background">Send as background work (a worker's), not as a waiting client's; see <see cref="StorageRequestPriority"/>.</param>
    public MessageOutbox(Func<IReadOnlyList<Entry>, Task> send, int maxParts, int maxBytes, int maxInFlight, bool background = false)
    {
        _background = background;
        _send = send;
        _maxParts = maxParts;
        _maxBytes = maxBytes;
        _maxInFlight = maxInFlight;
    }

    /// <summary>Sends the messages (already encoded as envelopes); completes when every one is in the queue.</summary>
    public Task SendAsync(IReadOnlyList<(TaskMessage Message, string Envelope)> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return Task.CompletedTask;
        }

        var entries = messages.Select(m => new Entry(m.Message, m.Envelope)).ToList();
        var start = 0;
        lock (_gate)
        {
            foreach (var entry in entries)
            {
                _pending.Enqueue(entry);
            }

            // Enough senders for what waits, up to the cap; each sender drains until the queue is empty.
            var wanted = Math.Min(_maxInFlight, _inFlight + ((_pending.Count + _maxParts - 1) / _maxParts));
            start = Math.Max(0, wanted - _inFlight);
            _inFlight += start;
        }

        for (var i = 0; i < start; i++)
        {
            _ = Task.Run(DrainAsync, CancellationToken.None);
        }

        var all = entries.Count == 1 ? entries[0].Sent.Task : Task.WhenAll(entries.Select(e => e.Sent.Task));
        return all.WaitAsync(cancellationToken);
    }

    private async Task DrainAsync()
    {
        using var priority = _background ? StorageRequestPriority.Background() : StorageRequestPriority.Foreground();
        while (true)
        {
            List<Entry> batch;
            lock (_gate)
            {
                batch = TakeBatch();
                if (batch.Count == 0)
                {
                    _inFlight--;
                    return;
                }
            }

            try
            {
                await _send(batch).ConfigureAwait(false);
                foreach (var entry in batch)
                {
                    entry.Sent.TrySetResult();
                }
            }
            catch (Exception ex)
            {
                foreach (var entry in batch)
                {
                    entry.Sent.TrySetException(ex);
                }
            }
        }
    }

    private List<Entry> TakeBatch()
    {
        var batch = new List<Entry>();
        var bytes = 0;
        while (_pending.TryPeek(out var next) && batch.Count < _maxParts)
        {
            // The first entry always goes (an envelope alone fits: large events are offloaded to blobs).
            var size = next.Bytes + 1;
            if (batch.Count > 0 && bytes + size + PayloadStore.PackOverhead(batch.Count + 1) > _maxBytes)
            {
                break;
            }

            batch.Add(_pending.Dequeue());
            bytes += size;
        }

        return batch;
    }

    /// <summary>One task message waiting to be sent.</summary>
    internal sealed class Entry(TaskMessage message, string envelope)
    {
        public TaskMessage Message { get; } = message;

        public string Envelope { get; } = envelope;

        public int Bytes { get; } = System.Text.Encoding.UTF8.GetByteCount(envelope);

        public TaskCompletionSource Sent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
