using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace AgentFunctions.Functions.Functions;

/// <summary>
/// The <see cref="TaskActivityContext"/> an activity class expects, for an activity function: its name and the
/// orchestration instance that scheduled it, which the activity trigger passes in its binding data.
/// </summary>
internal sealed class FunctionActivityContext(TaskName name, string instanceId) : TaskActivityContext
{
    /// <summary>The binding data key of the scheduling instance's id.</summary>
    public const string InstanceIdKey = "instanceId";

    public override TaskName Name { get; } = name;

    public override string InstanceId { get; } = instanceId;

    /// <summary>The context of the activity function <paramref name="function"/> is running.</summary>
    public static FunctionActivityContext From(FunctionContext function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var instanceId = function.BindingContext.BindingData.TryGetValue(InstanceIdKey, out var value) && value is string id
            ? id
            : throw new InvalidOperationException($"Activity function '{function.FunctionDefinition.Name}' was invoked without an '{InstanceIdKey}' in its binding data.");
        return new FunctionActivityContext(function.FunctionDefinition.Name, instanceId);
    }
}
