using System.Security.Cryptography;
using System.Text.Json;
using AgentFunctions.Durable;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Research.Contracts;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Host.Research;

/// <summary>How a submission ended.</summary>
/// <param name="InstanceId">The instance that holds the run (new or, for a repeated key, the earlier one).</param>
/// <param name="KeyConflict">True when the idempotency key was first used with a different request.</param>
internal sealed record SubmitResult(string InstanceId, bool KeyConflict);

/// <summary>Starts research runs, honouring <c>Idempotency-Key</c>; shared by the API and the runs page.</summary>
internal sealed class ResearchSubmitter(DurableTaskClient client, IIdempotencyStore store, HostSettings settings, ILogger<ResearchSubmitter> logger)
{
    public const int MaxIdempotencyKeyLength = 200;

    public async Task<SubmitResult> SubmitAsync(ResearchRequest request, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var proposed = Guid.NewGuid().ToString("N");
        if (idempotencyKey is null)
        {
            await StartAsync(proposed, request, cancellationToken);
            return new SubmitResult(proposed, KeyConflict: false);
        }

        // Hash the parsed request, not the bytes: a retry that re-serializes the same request still matches.
        var hash = Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, client.Converter.Options)));
        var claim = await store.ClaimAsync(idempotencyKey, hash, proposed, settings.IdempotencyRetention, cancellationToken);
        if (!claim.IsNew)
        {
            logger.LogInformation("Idempotency-Key maps to existing instance {InstanceId}", claim.InstanceId);
            return new SubmitResult(claim.InstanceId, KeyConflict: claim.RequestHash != hash);
        }

        try
        {
            await StartAsync(claim.InstanceId, request, cancellationToken);
        }
        catch
        {
            await store.ReleaseAsync(idempotencyKey, claim.InstanceId, CancellationToken.None);
            throw;
        }

        return new SubmitResult(claim.InstanceId, KeyConflict: false);
    }

    /// <summary>Null when the key is acceptable, otherwise why not.</summary>
    public static string? ValidateKey(string key) =>
        key.Length is 0 or > MaxIdempotencyKeyLength || key.Any(c => c < 0x21 || c > 0x7E)
            ? $"Idempotency-Key must be 1 to {MaxIdempotencyKeyLength} visible ASCII characters."
            : null;

    private async Task StartAsync(string instanceId, ResearchRequest request, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope("InstanceId:{InstanceId}", instanceId);
        await client.ScheduleNewOrchestrationInstanceAsync(
            ResearchPipelineRegistration.ResearchOrchestratorName, request, new StartOrchestrationOptions(instanceId), cancellationToken);
        logger.LogInformation("Research run {InstanceId} started: {Question}", instanceId, request.Question);
    }
}
