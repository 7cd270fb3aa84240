namespace AgentFunctions.Durable;

/// <summary>Untyped orchestrator contract the runtime invokes.</summary>
public interface ITaskOrchestrator
{
    /// <summary>The input type, used to deserialize the instance input.</summary>
    Type InputType { get; }

    /// <summary>Runs the orchestrator; returns the output object (serialized by the runtime).</summary>
    Task<object?> RunAsync(TaskOrchestrationContext context, object? input);
}

/// <summary>
/// Base class of an orchestrator: one record input, one output. It gets only its context, so it stays
/// deterministic; register it under <c>nameof(TYourOrchestrator)</c>.
/// </summary>
public abstract class TaskOrchestrator<TInput, TOutput> : ITaskOrchestrator
{
    /// <inheritdoc />
    public Type InputType => typeof(TInput);

    /// <summary>The orchestration logic.</summary>
    public abstract Task<TOutput> RunAsync(TaskOrchestrationContext context, TInput input);

    async Task<object?> ITaskOrchestrator.RunAsync(TaskOrchestrationContext context, object? input) =>
        await RunAsync(context, input is null ? default! : (TInput)input);
}

/// <summary>Untyped activity contract the runtime invokes.</summary>
public interface ITaskActivity
{
    /// <summary>The input type, used to deserialize the scheduled input.</summary>
    Type InputType { get; }

    /// <summary>Runs the activity; returns the result object (serialized by the runtime).</summary>
    Task<object?> RunAsync(TaskActivityContext context, object? input);
}

/// <summary>
/// Base class of an activity: the unit of real work (I/O, model calls). Activities may run more than once,
/// so they must be idempotent; they get their dependencies through the constructor.
/// </summary>
public abstract class TaskActivity<TInput, TOutput> : ITaskActivity
{
    /// <inheritdoc />
    public Type InputType => typeof(TInput);

    /// <summary>The activity's work.</summary>
    public abstract Task<TOutput> RunAsync(TaskActivityContext context, TInput input);

    async Task<object?> ITaskActivity.RunAsync(TaskActivityContext context, object? input) =>
        await RunAsync(context, input is null ? default! : (TInput)input).ConfigureAwait(false);
}
