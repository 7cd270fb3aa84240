namespace AgentFunctions.Host.Approvals;

/// <summary>
/// What the reviewer webhook remembers so retries and races raise nothing twice. Kept in the
/// <c>{hub}Deliveries</c> table by both hosts, with the same guarantees across restarts and processes.
/// </summary>
public interface IDeliveryLog
{
    /// <summary>
    /// Runs <paramref name="handle"/> for a delivery id unless an earlier run of that id was accepted, in
    /// which case that run's outcome is returned and nothing runs. Concurrent calls with one id run the
    /// handler once; outcomes that were not accepted are not remembered, so a retry is judged afresh.
    /// </summary>
    Task<DeliveryOutcome> RunOnceAsync(string deliveryId, Func<CancellationToken, Task<DeliveryOutcome>> handle, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the right to decide one review round of an instance (the round is identified by the
    /// orchestration state that asked for the decision). False when another decision already holds it.
    /// </summary>
    Task<bool> TryClaimDecisionAsync(string instanceId, string roundKey, CancellationToken cancellationToken);

    /// <summary>Gives a claim back because its decision could not be raised.</summary>
    Task ReleaseDecisionAsync(string instanceId, string roundKey, CancellationToken cancellationToken);
}

/// <summary>The answer given to a delivery, replayed verbatim for a repeated delivery id.</summary>
/// <param name="StatusCode">HTTP status.</param>
/// <param name="ContentType">Response content type.</param>
/// <param name="Body">Response body.</param>
public sealed record DeliveryOutcome(int StatusCode, string ContentType, string Body)
{
    /// <summary>Whether the delivery was accepted (and must therefore never run again).</summary>
    public bool Accepted => StatusCode == 202;
}
