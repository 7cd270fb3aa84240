using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Moq;

namespace AgentFunctions.Functions.Tests;

/// <summary>
/// Registers the app's orchestrator and activity functions with a Durable Task engine under their function names, so
/// the engine runs the <c>[Function]</c> methods themselves, as the Durable extension does: an orchestrator function
/// gets the engine's context, an activity function its input and a <see cref="FunctionContext"/> whose binding data
/// carries the instance id, as the activity trigger passes it.
/// </summary>
internal static class EngineFunctions
{
    public static IReadOnlyList<string> Register(DurableTaskRegistry registry, params Type[] functionClasses)
    {
        var names = new List<string>();
        foreach (var method in functionClasses.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static)))
        {
            if (method.GetCustomAttribute<FunctionAttribute>() is not { } function)
            {
                continue;
            }

            var parameters = method.GetParameters();
            if (parameters.Any(p => p.GetCustomAttribute<OrchestrationTriggerAttribute>() is not null))
            {
                registry.AddOrchestrator(function.Name, () => new FunctionOrchestrator(method));
                names.Add(function.Name);
            }
            else if (parameters.Any(p => p.GetCustomAttribute<ActivityTriggerAttribute>() is not null))
            {
                registry.AddActivity(function.Name, services => new FunctionActivity(method, function.Name, services));
                names.Add(function.Name);
            }
        }

        return names;
    }

    private static Type ResultType(MethodInfo method) =>
        method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)
            ? method.ReturnType.GetGenericArguments()[0]
            : throw new InvalidOperationException($"{method.Name} does not return Task<T>.");

    private static async Task<object?> ResultOf(object? task)
    {
        var running = (Task)task!;
        await running;
        return running.GetType().GetProperty(nameof(Task<object>.Result))!.GetValue(running);
    }

    private sealed class FunctionOrchestrator(MethodInfo method) : ITaskOrchestrator
    {
        // The extension's context reads the input lazily as whatever GetInput<T> asks for; the engine's context hands
        // over the input already read as InputType, so that must be the orchestrator class's own input type.
        public Type InputType { get; } = ((ITaskOrchestrator)Activator.CreateInstance(
            typeof(AgentFunctions.Research.Orchestration.ResearchOrchestrator).Assembly.GetTypes().Single(t => t.Name == method.GetCustomAttribute<FunctionAttribute>()!.Name))!).InputType;

        public Type OutputType => ResultType(method);

        public Task<object?> RunAsync(TaskOrchestrationContext context, object? input) => ResultOf(method.Invoke(null, BindingFlags.DoNotWrapExceptions, null, [context], null));
    }

    private sealed class FunctionActivity(MethodInfo method, string name, IServiceProvider services) : ITaskActivity
    {
        public Type InputType => method.GetParameters().Single(p => p.GetCustomAttribute<ActivityTriggerAttribute>() is not null).ParameterType;

        public Type OutputType => ResultType(method);

        public Task<object?> RunAsync(TaskActivityContext context, object? input)
        {
            var definition = new Mock<FunctionDefinition>();
            definition.SetupGet(d => d.Name).Returns(name);
            var binding = new Mock<BindingContext>();
            binding.SetupGet(b => b.BindingData).Returns(new Dictionary<string, object?> { ["instanceId"] = context.InstanceId });
            var function = new Mock<FunctionContext>();
            function.SetupGet(f => f.FunctionDefinition).Returns(definition.Object);
            function.SetupGet(f => f.BindingContext).Returns(binding.Object);
            function.SetupGet(f => f.InstanceServices).Returns(services);
            return ResultOf(method.Invoke(null, BindingFlags.DoNotWrapExceptions, null, [input, function.Object], null));
        }
    }
}
