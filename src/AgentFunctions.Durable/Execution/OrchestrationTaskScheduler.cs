namespace AgentFunctions.Durable.Execution;

/// <summary>
/// Runs orchestrator code one continuation at a time, in FIFO order, on whichever thread drains it. Every
/// <c>await</c> inside an orchestrator captures this scheduler, so continuations never run on the thread pool
/// and the order of execution depends only on the order history events are applied: that is what makes
/// replay deterministic.
/// </summary>
internal sealed class OrchestrationTaskScheduler : TaskScheduler
{
    private readonly Queue<Task> _queue = new();
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public override int MaximumConcurrencyLevel => 1;

    /// <summary>Runs queued work until none is left, including work queued by the work it runs.</summary>
    public void Drain()
    {
        while (true)
        {
            Task? next;
            lock (_gate)
            {
                if (!_queue.TryDequeue(out next))
                {
                    return;
                }
            }

            TryExecuteTask(next);
        }
    }

    /// <inheritdoc />
    protected override void QueueTask(Task task)
    {
        // Orchestrator code that escapes to the thread pool (Task.Run, ConfigureAwait(false)) can post here from
        // another thread; the lock keeps the queue intact, though such code is not deterministic.
        lock (_gate)
        {
            _queue.Enqueue(task);
        }
    }

    /// <inheritdoc />
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    /// <inheritdoc />
    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (_gate)
        {
            return [.. _queue];
        }
    }
}
