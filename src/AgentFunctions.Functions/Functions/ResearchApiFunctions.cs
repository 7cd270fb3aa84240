using AgentFunctions.Host.Approvals;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Research;
using AgentFunctions.Research.Publishing;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Functions.Functions;

/// <summary>
/// <c>POST /api/research</c> and the reviewer webhook <c>POST /api/approvals/{instanceId}</c>: the handlers the local
/// host maps, given the invocation's <c>[DurableClient]</c>. The research API needs a function key (the Functions host
/// checks it); the webhook is authenticated by its HMAC signature, as on the local host.
/// </summary>
public sealed class ResearchApiFunctions(
    HostSettings settings, CallbackUrlPolicy callbackPolicy, IIdempotencyStore idempotency, IDeliveryLog deliveries, TimeProvider time, ILoggerFactory loggers)
{
    /// <summary>Starts a research run; 202 with the check-status body, 400/413/422 as problem details.</summary>
    [Function("SubmitResearch")]
    public Task<IResult> SubmitResearchAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/research")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var submitter = new ResearchSubmitter(client, idempotency, settings, loggers.CreateLogger<ResearchSubmitter>());
        return ResearchApi.SubmitAsync(
            request, submitter, settings, callbackPolicy, instanceId => CheckStatusLinks.Create(client, request, instanceId, settings), cancellationToken);
    }

    /// <summary>Takes a reviewer's signed decision: 202, 400, 401, 404, 409, 410 or 413.</summary>
    [Function("ReceiveReviewDecision")]
    public Task<IResult> ReceiveReviewDecisionAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/approvals/{instanceId}")] HttpRequest request,
        string instanceId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var gate = new ReviewDecisionGate(client, deliveries, loggers.CreateLogger<ReviewDecisionGate>());
        return ApprovalsApi.HandleAsync(instanceId, request, settings, time, deliveries, gate, loggers, cancellationToken);
    }
}
