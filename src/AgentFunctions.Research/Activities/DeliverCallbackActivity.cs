using Microsoft.DurableTask;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Publishing;
using AgentFunctions.Research.Telemetry;

namespace AgentFunctions.Research.Activities;

/// <summary>Input of <see cref="DeliverCallbackActivity"/>.</summary>
/// <param name="InstanceId">The run.</param>
/// <param name="CallbackUrl">Where to POST.</param>
/// <param name="Result">The result to deliver.</param>
public sealed record DeliverCallbackInput(string InstanceId, string CallbackUrl, ResearchResult Result);

/// <summary>Output of <see cref="DeliverCallbackActivity"/>.</summary>
/// <param name="Delivered">Always true: a failed delivery throws.</param>
public sealed record DeliverCallbackOutput(bool Delivered);

/// <summary>POSTs the result to the request's callback URL through the <see cref="ICallbackSender"/>.</summary>
/// <param name="sender">The callback sender.</param>
public sealed class DeliverCallbackActivity(ICallbackSender sender) : TaskActivity<DeliverCallbackInput, DeliverCallbackOutput>
{
    /// <inheritdoc />
    public override async Task<DeliverCallbackOutput> RunAsync(TaskActivityContext context, DeliverCallbackInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        using var span = RunTrace.StartStep("callback", context.InstanceId);
        await sender.SendAsync(new Uri(input.CallbackUrl, UriKind.Absolute), input.InstanceId, input.Result, CancellationToken.None).ConfigureAwait(false);
        return new DeliverCallbackOutput(true);
    }
}
