using System.Globalization;
using AgentFunctions.Storage.Internal;

namespace AgentFunctions.Storage.Blobs;

/// <summary>
/// A lease on one blob: an exclusive write/delete lock for 15-60 s (renewable) or infinite, used for
/// example to make one host the owner of a task hub.
/// </summary>
public sealed class BlobLeaseClient
{
    /// <summary>Pass as the duration to acquire a lease that never expires (until released or broken).</summary>
    public static readonly TimeSpan InfiniteDuration = Timeout.InfiniteTimeSpan;

    private readonly StoragePipeline _pipeline;
    private readonly BlobClient _blob;

    internal BlobLeaseClient(StoragePipeline pipeline, BlobClient blob, string leaseId)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        _pipeline = pipeline;
        _blob = blob;
        LeaseId = leaseId;
    }

    /// <summary>The lease id this client acquires and acts with (changed by <see cref="ChangeAsync"/>).</summary>
    public string LeaseId { get; private set; }

    /// <summary>Acquires the lease.</summary>
    /// <param name="duration">15 to 60 seconds, or <see cref="InfiniteDuration"/>.</param>
    /// <param name="conditions">Preconditions on the blob (If-Match).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The lease id.</returns>
    /// <exception cref="StorageRequestFailedException">409 LeaseAlreadyPresent when another lease is active.</exception>
    public async Task<string> AcquireAsync(TimeSpan duration, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        string seconds;
        if (duration == InfiniteDuration)
        {
            seconds = "-1";
        }
        else if (duration >= TimeSpan.FromSeconds(15) && duration <= TimeSpan.FromSeconds(60))
        {
            seconds = ((int)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A lease lasts 15 to 60 seconds, or is infinite.");
        }

        var request = LeaseRequest("acquire", conditions is null ? null : conditions with { LeaseId = null })
            .WithHeader("x-ms-lease-duration", seconds)
            .WithHeader("x-ms-proposed-lease-id", LeaseId);
        var response = await _pipeline.SendAsync(request, cancellationToken);
        return LeaseId = response.RequiredHeader("x-ms-lease-id");
    }

    /// <summary>Renews the lease for its original duration.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task.</returns>
    /// <exception cref="StorageRequestFailedException">409 LeaseIdMismatchWithLeaseOperation when another holds it.</exception>
    public Task RenewAsync(CancellationToken cancellationToken = default) =>
        _pipeline.SendAsync(LeaseRequest("renew", null).WithHeader("x-ms-lease-id", LeaseId), cancellationToken);

    /// <summary>Releases the lease so another can acquire it at once.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task.</returns>
    public Task ReleaseAsync(CancellationToken cancellationToken = default) =>
        _pipeline.SendAsync(LeaseRequest("release", null).WithHeader("x-ms-lease-id", LeaseId), cancellationToken);

    /// <summary>Changes the lease id of the active lease.</summary>
    /// <param name="proposedLeaseId">The new lease id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The new lease id.</returns>
    public async Task<string> ChangeAsync(string proposedLeaseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(proposedLeaseId);
        var request = LeaseRequest("change", null)
            .WithHeader("x-ms-lease-id", LeaseId)
            .WithHeader("x-ms-proposed-lease-id", proposedLeaseId);
        var response = await _pipeline.SendAsync(request, cancellationToken);
        return LeaseId = response.RequiredHeader("x-ms-lease-id");
    }

    /// <summary>Breaks the active lease, whoever holds it; no lease id is needed.</summary>
    /// <param name="breakPeriod">How long until it is broken (0-60 s); null for the lease's remaining time.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The time left until the lease is broken.</returns>
    public async Task<TimeSpan> BreakAsync(TimeSpan? breakPeriod = null, CancellationToken cancellationToken = default)
    {
        if (breakPeriod is { } period && (period < TimeSpan.Zero || period > TimeSpan.FromSeconds(60)))
        {
            throw new ArgumentOutOfRangeException(nameof(breakPeriod), period, "The break period is 0 to 60 seconds.");
        }

        var request = LeaseRequest("break", null)
            .WithHeader("x-ms-lease-break-period", breakPeriod is { } p ? ((int)p.TotalSeconds).ToString(CultureInfo.InvariantCulture) : null);
        var response = await _pipeline.SendAsync(request, cancellationToken);
        return TimeSpan.FromSeconds(int.Parse(response.Header("x-ms-lease-time") ?? "0", CultureInfo.InvariantCulture));
    }

    private StorageRequest LeaseRequest(string action, BlobRequestConditions? conditions) =>
        _blob.Request(HttpMethod.Put, conditions, comp: "lease").WithHeader("x-ms-lease-action", action);
}
