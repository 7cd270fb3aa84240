using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AgentFunctions.Host.Durable;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using AgentFunctions.Research.Contracts;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Host.Approvals;

/// <summary>What became of a reviewer's decision.</summary>
internal enum DecisionResult
{
    /// <summary>Raised as the ReviewDecision event.</summary>
    Accepted,

    /// <summary>No such instance.</summary>
    NotFound,

    /// <summary>The instance has finished.</summary>
    Finished,

    /// <summary>The instance is not in the AwaitingApproval phase.</summary>
    NotAwaiting,

    /// <summary>Another decision was already accepted for this review round.</summary>
    AlreadyDecided,
}

/// <summary>
/// The one path by which a decision reaches an orchestration, shared by the webhook and the review page:
/// the instance must exist, be running and report phase AwaitingApproval, and the review round must not
/// have been decided yet; only then is <see cref="ReviewDecision.EventName"/> raised. Every other path
/// raises nothing.
/// </summary>
internal sealed class ReviewDecisionGate(DurableTaskClient client, IDeliveryLog log, ILogger<ReviewDecisionGate> logger)
{
    public async Task<(DecisionResult Result, string? Phase, string? Round)> DecideAsync(string instanceId, ReviewDecision decision, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope("InstanceId:{InstanceId}", instanceId);
        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
        if (instance is null)
        {
            return (DecisionResult.NotFound, null, null);
        }

        var phase = ReadPhase(instance.SerializedCustomStatus);
        if (instance.IsCompleted)
        {
            return (DecisionResult.Finished, phase, null);
        }

        if (phase != nameof(ResearchPhase.AwaitingApproval))
        {
            return (DecisionResult.NotAwaiting, phase, null);
        }

        var round = RoundKey(instance);
        if (!await log.TryClaimDecisionAsync(instanceId, round, cancellationToken))
        {
            return (DecisionResult.AlreadyDecided, phase, round);
        }

        try
        {
            await client.RaiseEventAsync(instanceId, ReviewDecision.EventName, decision, cancellationToken);
        }
        catch (InstanceFinishedException)
        {
            await log.ReleaseDecisionAsync(instanceId, round, CancellationToken.None);
            return (DecisionResult.Finished, phase, null);
        }
        catch (InstanceNotFoundException)
        {
            await log.ReleaseDecisionAsync(instanceId, round, CancellationToken.None);
            return (DecisionResult.NotFound, phase, null);
        }

        logger.LogInformation("Review decision '{Decision}' by {Reviewer} raised on {InstanceId}", decision.Decision, decision.Reviewer ?? "(anonymous)", instanceId);
        return (DecisionResult.Accepted, phase, round);
    }

    /// <summary>
    /// Identifies the review round: the state that asked for this decision. After a revision the
    /// orchestrator asks again with a new draft (and usage), so the custom status, and with it the round, differs.
    /// </summary>
    public static string RoundKey(OrchestrationMetadata instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{instance.CreatedAt.UtcTicks}\n{instance.SerializedCustomStatus}")))[..32];
    }

    /// <summary>The <c>phase</c> of a research custom status, or null.</summary>
    public static string? ReadPhase(string? customStatus)
    {
        if (string.IsNullOrEmpty(customStatus))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(customStatus);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("phase", out var phase)
                && phase.ValueKind == JsonValueKind.String
                ? phase.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
