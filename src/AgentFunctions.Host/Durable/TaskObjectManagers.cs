using DurableTask.Core;
using DurableTask.Core.Middleware;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.DurableTask.Worker.Shims;
using CoreParent = DurableTask.Core.ParentInstance;

namespace AgentFunctions.Host.Durable;

/// <summary>
/// Hands DurableTask.Core the <c>Microsoft.DurableTask</c> orchestrators of a registry, through the SDK's
/// <see cref="DurableTaskShimFactory"/>. The shim needs the instance's parent, which the engine knows only per
/// work item, so each object is a <see cref="DeferredOrchestration"/> that <see cref="BindParentAsync"/> (a
/// dispatcher middleware) completes before the episode runs.
/// </summary>
internal sealed class OrchestratorObjectManager(DurableTaskRegistry registry, IServiceProvider services, DurableTaskShimFactory shims)
    : INameVersionObjectManager<TaskOrchestration>
{
    public void Add(ObjectCreator<TaskOrchestration> creator) =>
        throw new NotSupportedException("Orchestrators come from the DurableTaskRegistry.");

    private readonly Dictionary<string, Func<IServiceProvider, ITaskOrchestrator>> _orchestrators =
        registry.GetOrchestrators().ToDictionary(o => o.Key.Name, o => o.Value, StringComparer.OrdinalIgnoreCase);

    public TaskOrchestration GetObject(string name, string? version) => new DeferredOrchestration(parent =>
    {
        // An unknown name fails the instance instead of leaving its message to be retried forever.
        return _orchestrators.TryGetValue(name, out var create)
            ? shims.CreateOrchestration(new TaskName(name), create(services), parent)
            : new UnknownOrchestration(name);
    });

    /// <summary>The dispatcher middleware that gives each orchestration its parent before it runs.</summary>
    public static Task BindParentAsync(DispatchMiddlewareContext context, Func<Task> next)
    {
        if (context.GetProperty<TaskOrchestration>() is DeferredOrchestration deferred)
        {
            var parent = context.GetProperty<OrchestrationRuntimeState>()?.ParentInstance;
            deferred.Bind(parent is null ? null : ToParent(parent));
        }

        return next();
    }

    private static ParentOrchestrationInstance? ToParent(CoreParent parent) =>
        parent.OrchestrationInstance?.InstanceId is { } id ? new ParentOrchestrationInstance(new TaskName(parent.Name), id) : null;

    /// <summary>An orchestration whose shim is created once its parent is known.</summary>
    internal sealed class DeferredOrchestration(Func<ParentOrchestrationInstance?, TaskOrchestration> create) : TaskOrchestration
    {
        private TaskOrchestration? _inner;

        public void Bind(ParentOrchestrationInstance? parent) => _inner ??= create(parent);

        public override Task<string> Execute(OrchestrationContext context, string input) => Inner.Execute(context, input);

        public override void RaiseEvent(OrchestrationContext context, string name, string input) => Inner.RaiseEvent(context, name, input);

        public override string GetStatus() => Inner.GetStatus();

        private TaskOrchestration Inner => _inner ??= create(null);
    }

    private sealed class UnknownOrchestration(string name) : TaskOrchestration
    {
        public override Task<string> Execute(OrchestrationContext context, string input) =>
            throw new InvalidOperationException($"No orchestrator named '{name}' is registered on this host.");

        public override void RaiseEvent(OrchestrationContext context, string name, string input)
        {
        }

        public override string GetStatus() => string.Empty;
    }
}

/// <summary>
/// Hands DurableTask.Core the activities of a registry through the SDK's shim, each created in its own DI scope. An
/// unknown name fails the call (the orchestrator sees a <see cref="TaskFailedException"/>) instead of leaving the
/// message to be retried forever.
/// </summary>
internal sealed class ActivityObjectManager(DurableTaskRegistry registry, IServiceProvider services, DurableTaskShimFactory shims)
    : INameVersionObjectManager<TaskActivity>
{
    public void Add(ObjectCreator<TaskActivity> creator) =>
        throw new NotSupportedException("Activities come from the DurableTaskRegistry.");

    private readonly Dictionary<string, Func<IServiceProvider, ITaskActivity>> _activities =
        registry.GetActivities().ToDictionary(a => a.Key.Name, a => a.Value, StringComparer.OrdinalIgnoreCase);

    public TaskActivity GetObject(string name, string? version) =>
        new ScopedActivity(name, _activities.GetValueOrDefault(name), services, shims);

    private sealed class ScopedActivity(string name, Func<IServiceProvider, ITaskActivity>? create, IServiceProvider services, DurableTaskShimFactory shims) : TaskActivity
    {
        public override string Run(TaskContext context, string input) =>
            throw new NotSupportedException("Activities run asynchronously.");

        public override async Task<string> RunAsync(TaskContext context, string input)
        {
            if (create is null)
            {
                throw new InvalidOperationException($"No activity named '{name}' is registered on this host.");
            }

            await using var scope = services.CreateAsyncScope();
            return await shims.CreateActivity(new TaskName(name), create(scope.ServiceProvider)).RunAsync(context, input).ConfigureAwait(false);
        }
    }
}
