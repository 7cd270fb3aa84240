using AgentFunctions.Host.Approvals;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Research;
using AgentFunctions.Host.Review;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Functions.Functions;

/// <summary>
/// The review site on the local host's routes (host.json sets an empty route prefix): the runs and operations pages
/// need a function key, which the Functions host checks; review pages are opened by signed, expiring links and their
/// forms, like the runs page's form, carry a signed token, so those routes are anonymous at the Functions level.
/// </summary>
public sealed class ReviewPageFunctions(
    HostSettings settings, IIdempotencyStore idempotency, IDeliveryLog deliveries, TimeProvider time, ILoggerFactory loggers, IServiceProvider services)
{
    private readonly ReviewLinkSigner _signer = services.GetRequiredService<ReviewLinkSigner>();

    // An empty route is not matched by the Functions host (it serves its own home page at "/"); an optional
    // parameter that must be empty is, and matches "/" only.
    private const string RootRoute = "{root:maxlength(0)?}";

    /// <summary><c>GET /</c>: recent runs and the question form.</summary>
    [Function("RunsPage")]
    public Task<IResult> RunsPageAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = RootRoute)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        ReviewPages.RunsAsync(request, Runs(client), _signer, settings, time, cancellationToken);

    /// <summary><c>POST /</c>: the runs page's question form (its signed token stands for the key the page needed).</summary>
    [Function("RunsPageSubmit")]
    public Task<IResult> RunsPageSubmitAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RootRoute)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        ReviewPages.SubmitAsync(request, Runs(client), _signer, Submitter(client), settings, time, cancellationToken);

    /// <summary><c>GET /review/{instanceId}?token=</c>: the draft, its sources and the decision form.</summary>
    [Function("ReviewPage")]
    public Task<IResult> ReviewPageAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "review/{instanceId}")] HttpRequest request,
        string instanceId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ReviewPages.ReviewAsync(
            instanceId, Query(request, "token"), Query(request, "decided"), Query(request, "round"), Runs(client), _signer, time, cancellationToken);
    }

    /// <summary><c>POST /review/{instanceId}</c>: the review page's decision form.</summary>
    [Function("ReviewPageDecide")]
    public Task<IResult> ReviewPageDecideAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "review/{instanceId}")] HttpRequest request,
        string instanceId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        ReviewPages.DecideAsync(
            instanceId, request, Runs(client), _signer, new ReviewDecisionGate(client, deliveries, loggers.CreateLogger<ReviewDecisionGate>()), settings, time, cancellationToken);

    /// <summary><c>GET /ops</c>: per-agent figures and the model breaker.</summary>
    [Function("OperationsPage")]
    public Task<IResult> OperationsPageAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "ops")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        ReviewPages.OperationsAsync(request, settings, Runs(client), time, services, cancellationToken);

    private RunsQuery Runs(DurableTaskClient client) => new(client, time);

    private ResearchSubmitter Submitter(DurableTaskClient client) =>
        new(client, idempotency, settings, loggers.CreateLogger<ResearchSubmitter>());

    private static string? Query(HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var values) ? values.FirstOrDefault() : null;
}
