using System.Security.Cryptography;
using System.Text;
using AgentFunctions.Storage;
using AgentFunctions.Storage.Blobs;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Durable.AzureStorage;

/// <summary>
/// The task-hub lease: one blob lease that only the processing host holds. A second host waits and takes over
/// when the first stops (release) or dies (expiry). The lease id is derived from the host id, so a host that
/// restarts after a crash reclaims its own lease at once instead of waiting for it to expire.
/// </summary>
internal sealed class TaskHubLease(BlobContainerClient container, AzureStorageBackendOptions options, string hostId, ILogger logger)
{
    private readonly BlobLeaseClient _lease = container.GetBlobClient("taskhub.lease").GetLeaseClient(LeaseIdFor(hostId));

    public string LeaseId => _lease.LeaseId;

    /// <summary>Waits until this host holds the lease.</summary>
    public async Task AcquireAsync(CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient("taskhub.lease");
        try
        {
            await blob.UploadAsync(hostId, BlobRequestConditions.IfNotExists, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageRequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Exists already (possibly leased): fine.
        }

        var announced = false;
        while (true)
        {
            try
            {
                await _lease.AcquireAsync(options.LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Task hub {Hub}: lease acquired by host {HostId}.", options.TaskHubName, hostId);
                return;
            }
            catch (StorageRequestFailedException ex) when (ex.Status == 409)
            {
                if (!announced)
                {
                    logger.LogWarning(
                        "Task hub {Hub} is held by another host; this host ({HostId}) waits and takes over when that lease is released or expires (at most {Duration}).",
                        options.TaskHubName, hostId, options.LeaseDuration);
                    announced = true;
                }

                await Task.Delay(options.LeaseAcquireInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Renews the lease: true when renewed, false when another host holds it (lost), null when storage did not
    /// answer (the caller retries while the lease can still be valid).
    /// </summary>
    public async Task<bool?> RenewAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _lease.RenewAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (StorageRequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            logger.LogError(ex, "Task hub {Hub}: lease lost by host {HostId}.", options.TaskHubName, hostId);
            return false;
        }
        catch (StorageRequestFailedException ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Task hub {Hub}: renewing the lease failed; retrying.", options.TaskHubName);
            return null;
        }
    }

    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _lease.ReleaseAsync(cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Task hub {Hub}: lease released by host {HostId}.", options.TaskHubName, hostId);
        }
        catch (StorageRequestFailedException ex)
        {
            logger.LogWarning(ex, "Task hub {Hub}: releasing the lease failed; it expires within {Duration}.", options.TaskHubName, options.LeaseDuration);
        }
    }

    private static string LeaseIdFor(string hostId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(hostId));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }
}
