using System.Security.Cryptography;
using System.Text.Json;
using AgentFunctions.Host.Durable;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;
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
        if (idempotencyKey is null)
        {
            // The client generates the id: a fresh one needs no existence check, so the start costs less storage.
            var started = await client.ScheduleNewOrchestrationInstanceAsync(
                ResearchPipelineRegistration.ResearchOrchestratorName, request, options: null, cancellationToken);
            using (logger.BeginScope("InstanceId:{InstanceId}", started))
            {
                logger.LogInformation("Research run {InstanceId} started: {Question}", started, request.Question);
            }

            return new SubmitResult(started, KeyConflict: false);
        }

        var proposed = Guid.NewGuid().ToString("N");

        // Hash the parsed request, not the bytes: a retry that re-serializes the same request still matches.
        var hash = Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, ResearchJson.Options)));
        var claim = await store.ClaimAsync(idempotencyKey, hash, proposed, settings.IdempotencyRetention, cancellationToken);
        if (!claim.IsNew)
        {
            logger.LogInformation("Idempotency-Key maps to existing instance {InstanceId}", claim.InstanceId);
            if (claim.RequestHash != hash)
            {
                return new SubmitResult(claim.InstanceId, KeyConflict: true);
            }

            if (!claim.IsStarted)
            {
                await EnsureStartedAsync(idempotencyKey, claim.InstanceId, request, cancellationToken);
            }

            return new SubmitResult(claim.InstanceId, KeyConflict: false);
        }

        try
        {
            await StartOrJoinAsync(claim.InstanceId, request, cancellationToken);
        }
        catch
        {
            try
            {
                await store.ReleaseAsync(idempotencyKey, claim.InstanceId, CancellationToken.None);
            }
            catch (Exception releaseFailure) when (StorageErrors.IsStorageFailure(releaseFailure))
            {
                // Storage is down for the release too: the key stays mapped but not started, and a retry with
                // it starts the same instance (EnsureStartedAsync). The caller sees the original failure.
                logger.LogWarning(releaseFailure, "Idempotency-Key for {InstanceId} could not be released; a retry will start that instance", claim.InstanceId);
            }

            throw;
        }

        await MarkStartedAsync(idempotencyKey, claim.InstanceId);
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

    /// <summary>
    /// Starts the keyed instance; finding it already created is success, since every submission under one key
    /// uses the same instance id and the same request.
    /// </summary>
    private async Task StartOrJoinAsync(string instanceId, ResearchRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await StartAsync(instanceId, request, cancellationToken);
        }
        catch (InstanceAlreadyExistsException)
        {
            logger.LogInformation("Research run {InstanceId} was already started by a concurrent submission with its Idempotency-Key", instanceId);
        }
    }

    /// <summary>
    /// A repeat found the key claimed but not marked started: the first submission is starting the instance
    /// right now, or failed (storage unreachable, process killed) before it could start it or release the key.
    /// Creating the instance here when it does not exist is safe in both cases; one that exists, running or
    /// finished, is left alone.
    /// </summary>
    private async Task EnsureStartedAsync(string key, string instanceId, ResearchRequest request, CancellationToken cancellationToken)
    {
        if (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken) is null)
        {
            logger.LogInformation("Idempotency-Key maps to {InstanceId}, which was never created; starting it now", instanceId);
            await StartOrJoinAsync(instanceId, request, cancellationToken);
        }

        await MarkStartedAsync(key, instanceId);
    }

    private async Task MarkStartedAsync(string key, string instanceId)
    {
        try
        {
            await store.MarkStartedAsync(key, instanceId, CancellationToken.None);
        }
        catch (Exception ex) when (StorageErrors.IsStorageFailure(ex))
        {
            // The run is started and the answer is right without the mark; a later repeat only checks again.
            logger.LogWarning(ex, "Idempotency-Key of {InstanceId} could not be marked started", instanceId);
        }
    }
}
