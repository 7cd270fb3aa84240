using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Durable;

/// <summary>
/// The orchestrators and activities a worker can run, by name. Register classes with
/// <see cref="AddOrchestrator{T}()"/>/<see cref="AddActivity{T}()"/>, which use the class name
/// (<c>nameof</c>), so call sites never spell a name out.
/// </summary>
public sealed class DurableTaskRegistry
{
    private readonly Dictionary<string, Func<IServiceProvider, ITaskOrchestrator>> _orchestrators = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Func<IServiceProvider, ITaskActivity>> _activities = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Registered orchestrator names.</summary>
    public IReadOnlyCollection<string> OrchestratorNames => _orchestrators.Keys;

    /// <summary>Registered activity names.</summary>
    public IReadOnlyCollection<string> ActivityNames => _activities.Keys;

    /// <summary>
    /// Registers an orchestrator class under its type name. Orchestrators get no dependency injection: they
    /// must be deterministic, so a parameterless constructor is all they have.
    /// </summary>
    public DurableTaskRegistry AddOrchestrator<T>()
        where T : class, ITaskOrchestrator, new() =>
        AddOrchestrator(typeof(T).Name, _ => new T());

    /// <summary>Registers an orchestrator factory under a name.</summary>
    public DurableTaskRegistry AddOrchestrator(string name, Func<IServiceProvider, ITaskOrchestrator> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!_orchestrators.TryAdd(name, factory))
        {
            throw new ArgumentException($"An orchestrator named '{name}' is already registered.", nameof(name));
        }

        return this;
    }

    /// <summary>Registers an orchestrator written as a function.</summary>
    public DurableTaskRegistry AddOrchestratorFunc<TInput, TOutput>(string name, Func<TaskOrchestrationContext, TInput, Task<TOutput>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return AddOrchestrator(name, _ => new FuncOrchestrator<TInput, TOutput>(run));
    }

    /// <summary>Registers an activity class under its type name; it is created per call with constructor injection.</summary>
    public DurableTaskRegistry AddActivity<T>()
        where T : class, ITaskActivity =>
        AddActivity(typeof(T).Name, services => ActivatorUtilities.CreateInstance<T>(services));

    /// <summary>Registers an activity factory under a name.</summary>
    public DurableTaskRegistry AddActivity(string name, Func<IServiceProvider, ITaskActivity> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!_activities.TryAdd(name, factory))
        {
            throw new ArgumentException($"An activity named '{name}' is already registered.", nameof(name));
        }

        return this;
    }

    /// <summary>Registers an activity written as a function.</summary>
    public DurableTaskRegistry AddActivityFunc<TInput, TOutput>(string name, Func<TaskActivityContext, TInput, Task<TOutput>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return AddActivity(name, _ => new FuncActivity<TInput, TOutput>(run));
    }

    /// <summary>Registers a synchronous activity written as a function.</summary>
    public DurableTaskRegistry AddActivityFunc<TInput, TOutput>(string name, Func<TaskActivityContext, TInput, TOutput> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return AddActivity(name, _ => new FuncActivity<TInput, TOutput>((context, input) => Task.FromResult(run(context, input))));
    }

    /// <summary>True when an orchestrator of that name is registered.</summary>
    public bool ContainsOrchestrator(string name) => _orchestrators.ContainsKey(name);

    /// <summary>True when an activity of that name is registered.</summary>
    public bool ContainsActivity(string name) => _activities.ContainsKey(name);

    internal bool TryCreateOrchestrator(string name, IServiceProvider services, out ITaskOrchestrator orchestrator)
    {
        if (_orchestrators.TryGetValue(name, out var factory))
        {
            orchestrator = factory(services);
            return true;
        }

        orchestrator = null!;
        return false;
    }

    internal bool TryCreateActivity(string name, IServiceProvider services, out ITaskActivity activity)
    {
        if (_activities.TryGetValue(name, out var factory))
        {
            activity = factory(services);
            return true;
        }

        activity = null!;
        return false;
    }

    internal string DescribeOrchestrators() => _orchestrators.Count == 0 ? "none" : string.Join(", ", _orchestrators.Keys.Order(StringComparer.Ordinal));

    internal string DescribeActivities() => _activities.Count == 0 ? "none" : string.Join(", ", _activities.Keys.Order(StringComparer.Ordinal));

    private sealed class FuncOrchestrator<TInput, TOutput>(Func<TaskOrchestrationContext, TInput, Task<TOutput>> run) : TaskOrchestrator<TInput, TOutput>
    {
        public override Task<TOutput> RunAsync(TaskOrchestrationContext context, TInput input) => run(context, input);
    }

    private sealed class FuncActivity<TInput, TOutput>(Func<TaskActivityContext, TInput, Task<TOutput>> run) : TaskActivity<TInput, TOutput>
    {
        public override Task<TOutput> RunAsync(TaskActivityContext context, TInput input) => run(context, input);
    }
}
