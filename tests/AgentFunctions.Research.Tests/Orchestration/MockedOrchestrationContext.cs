using AgentFunctions.Research.Contracts;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace AgentFunctions.Research.Tests.Orchestration;

/// <summary>An activity or sub-orchestration call the orchestrator made.</summary>
/// <param name="Name">The task's name.</param>
/// <param name="Input">The input it was given.</param>
/// <param name="Options">The options (retry, sub-orchestration instance id) it was given.</param>
public sealed record TaskCall(string Name, object? Input, TaskOptions? Options);

/// <summary>
/// A <see cref="TaskOrchestrationContext"/> mocked with Moq, as Microsoft documents for unit-testing orchestrators:
/// activities and sub-orchestrations answer from handlers, custom statuses and timers are recorded, and reviewer
/// replies come from a script.
/// </summary>
/// <remarks>
/// The orchestrator waits for a review with <c>WaitForExternalEvent&lt;T&gt;(name, TimeSpan)</c>, which the SDK
/// implements (non-virtual) as a race of <c>CreateTimer</c> against <c>WaitForExternalEvent&lt;T&gt;(name,
/// CancellationToken)</c>, cancelling the loser. Those two are what is mocked here (<see cref="Mock.CallBase"/> keeps
/// the SDK's own race), so a timeout is the SDK's real path: the timer completes, the event wait is cancelled, and the
/// orchestrator sees the <see cref="TaskCanceledException"/> the SDK throws.
/// </remarks>
public sealed class MockedOrchestrationContext
{
    private readonly Mock<TaskOrchestrationContext> _mock = new(MockBehavior.Loose) { CallBase = true };
    private readonly Queue<ReviewReply> _replies = new();

    public MockedOrchestrationContext(string instanceId = "run")
    {
        _mock.SetupGet(c => c.InstanceId).Returns(instanceId);
        _mock.SetupGet(c => c.CurrentUtcDateTime).Returns(() => Now);
        _mock.SetupGet(c => c.IsReplaying).Returns(false);
        _mock.Setup(c => c.CreateReplaySafeLogger<Research.Orchestration.ResearchOrchestrator>()).Returns(NullLogger.Instance);
        _mock.Setup(c => c.SetCustomStatus(It.IsAny<object?>())).Callback<object?>(Statuses.Add);
        _mock.Setup(c => c.CreateTimer(It.IsAny<DateTime>(), It.IsAny<CancellationToken>())).Returns<DateTime, CancellationToken>(CreateTimer);
        _mock.Setup(c => c.WaitForExternalEvent<ReviewDecision>(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Returns<string, CancellationToken>(WaitForReview);
    }

    /// <summary>Orchestration time; a scripted reply moves it on.</summary>
    public DateTime Now { get; set; } = new(2026, 1, 1, 9, 0, 0, DateTimeKind.Utc);

    public TaskOrchestrationContext Object => _mock.Object;

    public List<TaskCall> Calls { get; } = [];

    public List<object?> Statuses { get; } = [];

    /// <summary>Fire times of every durable timer created.</summary>
    public List<DateTime> Timers { get; } = [];

    /// <summary>Names of the external events waited for.</summary>
    public List<string> EventWaits { get; } = [];

    public IEnumerable<TaskCall> CallsOf(string name) => Calls.Where(c => c.Name == name);

    public IReadOnlyList<T> StatusesAs<T>() => [.. Statuses.OfType<T>()];

    /// <summary>Answers activity <paramref name="name"/> with <paramref name="run"/>; a <see cref="TaskFailedException"/> it throws fails the call.</summary>
    public MockedOrchestrationContext OnActivity<TInput, TOutput>(string name, Func<TInput, TOutput> run) =>
        OnActivityAsync<TInput, TOutput>(name, input => Task.FromResult(run(input)));

    /// <summary>Answers activity <paramref name="name"/> with the task <paramref name="run"/> returns.</summary>
    public MockedOrchestrationContext OnActivityAsync<TInput, TOutput>(string name, Func<TInput, Task<TOutput>> run)
    {
        _mock.Setup(c => c.CallActivityAsync<TOutput>(It.Is<TaskName>(n => n.Name == name), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns<TaskName, object?, TaskOptions?>((_, input, options) => Invoke(name, input, options, run));
        return this;
    }

    /// <summary>Answers sub-orchestration <paramref name="name"/> with the task <paramref name="run"/> returns.</summary>
    public MockedOrchestrationContext OnSubOrchestrator<TInput, TOutput>(string name, Func<TInput, TaskOptions?, Task<TOutput>> run)
    {
        _mock.Setup(c => c.CallSubOrchestratorAsync<TOutput>(It.Is<TaskName>(n => n.Name == name), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns<TaskName, object?, TaskOptions?>((_, input, options) => Invoke<TInput, TOutput>(name, input, options, i => run(i, options)));
        return this;
    }

    /// <summary>The reviewer sends <paramref name="decision"/> <paramref name="after"/> the wait began (default one minute).</summary>
    public MockedOrchestrationContext ThenDecide(string decision, string? comment = null, TimeSpan? after = null)
    {
        _replies.Enqueue(new ReviewReply(new ReviewDecision(decision, "reviewer@example.test", comment, DateTimeOffset.MinValue), after ?? TimeSpan.FromMinutes(1)));
        return this;
    }

    /// <summary>The reviewer stays silent: the wait's timer fires.</summary>
    public MockedOrchestrationContext ThenStaySilent()
    {
        _replies.Enqueue(new ReviewReply(null, TimeSpan.Zero));
        return this;
    }

    /// <summary>A failed task as the SDK reports it to an orchestrator.</summary>
    public static TaskFailedException Failure(string taskName, string errorType, string message, TaskFailureDetails? inner = null) =>
        new(taskName, 1, new TaskFailureDetails(errorType, message, null, inner, null));

    private Task<TOutput> Invoke<TInput, TOutput>(string name, object? input, TaskOptions? options, Func<TInput, Task<TOutput>> run)
    {
        Calls.Add(new TaskCall(name, input, options));
        try
        {
            return run((TInput)input!);
        }
        catch (TaskFailedException ex)
        {
            return Task.FromException<TOutput>(ex);
        }
    }

    private Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken)
    {
        Timers.Add(fireAt);
        if (_replies.TryPeek(out var next) && next.Decision is null)
        {
            Now = fireAt;
            return Task.CompletedTask;
        }

        return Pending<object?>(cancellationToken);
    }

    private Task<ReviewDecision> WaitForReview(string name, CancellationToken cancellationToken)
    {
        EventWaits.Add(name);
        if (!_replies.TryDequeue(out var reply))
        {
            throw new InvalidOperationException("The orchestrator waited for a review decision the test did not script.");
        }

        if (reply.Decision is null)
        {
            // The SDK cancels this wait once the timer has won.
            return Pending<ReviewDecision>(cancellationToken);
        }

        Now += reply.After;
        return Task.FromResult(reply.Decision with { DecidedAt = new DateTimeOffset(Now, TimeSpan.Zero) });
    }

    private static Task<T> Pending<T>(CancellationToken cancellationToken)
    {
        var pending = new TaskCompletionSource<T>();
        cancellationToken.Register(() => pending.TrySetCanceled(cancellationToken));
        return pending.Task;
    }

    private sealed record ReviewReply(ReviewDecision? Decision, TimeSpan After);
}
