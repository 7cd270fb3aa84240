using AgentFunctions.Durable.Backend;

namespace AgentFunctions.Durable;

/// <summary>An instance's status as a client sees it, with typed readers for its payloads.</summary>
public sealed class OrchestrationMetadata
{
    private readonly DataConverter _converter;

    internal OrchestrationMetadata(OrchestrationState state, DataConverter converter)
    {
        State = state;
        _converter = converter;
    }

    /// <summary>The stored row.</summary>
    public OrchestrationState State { get; }

    /// <summary>The orchestrator name.</summary>
    public string Name => State.Name;

    /// <summary>The instance id.</summary>
    public string InstanceId => State.InstanceId;

    /// <summary>Lifecycle status.</summary>
    public OrchestrationRuntimeStatus RuntimeStatus => State.RuntimeStatus;

    /// <summary>When the instance was scheduled.</summary>
    public DateTimeOffset CreatedAt => State.CreatedAt;

    /// <summary>When the instance last changed.</summary>
    public DateTimeOffset LastUpdatedAt => State.LastUpdatedAt;

    /// <summary>Serialized input (when fetched).</summary>
    public string? SerializedInput => State.Input;

    /// <summary>Serialized output (when fetched).</summary>
    public string? SerializedOutput => State.Output;

    /// <summary>Serialized custom status (when fetched).</summary>
    public string? SerializedCustomStatus => State.CustomStatus;

    /// <summary>Why the instance failed, when it did.</summary>
    public TaskFailureDetails? FailureDetails => State.FailureDetails;

    /// <summary>True while Pending, Running or Suspended.</summary>
    public bool IsRunning => !State.RuntimeStatus.IsTerminal();

    /// <summary>True once Completed, Failed or Terminated.</summary>
    public bool IsCompleted => State.RuntimeStatus.IsTerminal();

    /// <summary>The input as <typeparamref name="T"/>.</summary>
    public T? ReadInputAs<T>() => _converter.Deserialize<T>(State.Input);

    /// <summary>The output as <typeparamref name="T"/>.</summary>
    public T? ReadOutputAs<T>() => _converter.Deserialize<T>(State.Output);

    /// <summary>The custom status as <typeparamref name="T"/>.</summary>
    public T? ReadCustomStatusAs<T>() => _converter.Deserialize<T>(State.CustomStatus);
}

/// <summary>The outcome of a purge.</summary>
/// <param name="PurgedInstanceCount">How many instances were removed.</param>
public sealed record PurgeResult(int PurgedInstanceCount);

/// <summary>Which finished instances a bulk purge removes.</summary>
/// <param name="CreatedFrom">Created at or after.</param>
/// <param name="CreatedTo">Created at or before.</param>
/// <param name="Statuses">Terminal statuses to include; null for all terminal ones.</param>
public sealed record PurgeInstancesFilter(
    DateTimeOffset? CreatedFrom = null,
    DateTimeOffset? CreatedTo = null,
    IReadOnlyCollection<OrchestrationRuntimeStatus>? Statuses = null);
