using System.Text.Json;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Research.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Host.Approvals;

/// <summary>
/// The reviewer webhook <c>POST /api/approvals/{instanceId}</c>. It is authenticated by its HMAC signature,
/// not by function keys. Order of checks: size (413), signature (401), delivery id (400), then once per
/// delivery id: body (400), instance (404), finished (410), awaiting (409), already decided (409), raise (202).
/// </summary>
public static class ApprovalsApi
{
    /// <summary>Longest reviewer name accepted.</summary>
    public const int MaxReviewerLength = 200;

    /// <summary>Longest comment accepted.</summary>
    public const int MaxCommentLength = 4000;

    private const int MaxDeliveryIdLength = 200;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Maps the webhook.</summary>
    public static RouteGroupBuilder MapApprovalsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/approvals").WithTags("Approvals");
        group.MapPost("/{instanceId}", HandleAsync);
        return group;
    }

    /// <summary>Parses and checks a decision body; errors are keyed by field.</summary>
    internal static (ReviewDecision? Decision, Dictionary<string, string[]> Errors) ParseDecision(ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        DecisionBody? parsed = null;
        try
        {
            parsed = JsonSerializer.Deserialize<DecisionBody>(body, Json);
        }
        catch (JsonException ex)
        {
            errors["body"] = [$"The body is not a valid decision: {ex.Message}"];
        }

        if (parsed is null)
        {
            errors.TryAdd("body", ["The body must be a JSON object {\"decision\", \"reviewer\", \"comment\"}."]);
            return (null, errors);
        }

        return ValidateDecision(parsed.Decision, parsed.Reviewer, parsed.Comment, now);
    }

    /// <summary>Checks decision fields (from JSON or the review page's form); errors are keyed by field.</summary>
    internal static (ReviewDecision? Decision, Dictionary<string, string[]> Errors) ValidateDecision(string? decisionText, string? reviewer, string? comment, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var decision = decisionText?.Trim().ToLowerInvariant();
        if (decision is not (ReviewDecision.Approve or ReviewDecision.Reject or ReviewDecision.Revise))
        {
            errors["decision"] = ["decision must be \"approve\", \"reject\" or \"revise\"."];
        }

        // Decisions are never anonymous: the run's output and the log say who approved, rejected or asked for a revision.
        if (string.IsNullOrWhiteSpace(reviewer))
        {
            errors["reviewer"] = ["reviewer is required: give the name of the person deciding."];
        }
        else if (reviewer.Length > MaxReviewerLength)
        {
            errors["reviewer"] = [$"reviewer is at most {MaxReviewerLength} characters."];
        }

        if (comment?.Length > MaxCommentLength)
        {
            errors["comment"] = [$"comment is at most {MaxCommentLength} characters."];
        }
        else if (decision == ReviewDecision.Revise && string.IsNullOrWhiteSpace(comment))
        {
            errors["comment"] = ["A revise decision needs a comment: it is the feedback the report is revised with."];
        }

        return errors.Count > 0
            ? (null, errors)
            : (new ReviewDecision(decision!, reviewer!.Trim(), Blank(comment), now), errors);
    }

    /// <summary>Maps a gate result to a status code and problem title.</summary>
    internal static (int Status, string Title) Describe(DecisionResult result) => result switch
    {
        DecisionResult.Accepted => (StatusCodes.Status202Accepted, "Decision accepted"),
        DecisionResult.NotFound => (StatusCodes.Status404NotFound, "Instance not found"),
        DecisionResult.Finished => (StatusCodes.Status410Gone, "Instance already finished"),
        DecisionResult.NotAwaiting => (StatusCodes.Status409Conflict, "Instance is not awaiting a decision"),
        _ => (StatusCodes.Status409Conflict, "A decision was already accepted"),
    };

    /// <summary>Handles one webhook delivery; both hosts call it.</summary>
    internal static async Task<IResult> HandleAsync(
        string instanceId, HttpRequest request, HostSettings settings, TimeProvider time, IDeliveryLog deliveries, ReviewDecisionGate gate, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger(typeof(ApprovalsApi).FullName!);
        using var scope = logger.BeginScope("InstanceId:{InstanceId}", instanceId);
        var body = await RequestBody.ReadAsync(request, settings.MaxRequestBodyBytes, ct);
        if (body is null)
        {
            return RequestBody.TooLarge(settings.MaxRequestBodyBytes);
        }

        var signatureProblem = WebhookSignature.Verify(
            request.Headers[WebhookSignature.SignatureHeader].ToString(), body, settings.Review.WebhookSecrets, time.GetUtcNow(), settings.Review.SignatureTolerance);
        if (signatureProblem is not null)
        {
            logger.LogWarning("Reviewer webhook for {InstanceId} rejected: {Problem}", instanceId, signatureProblem);
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid signature", detail: signatureProblem);
        }

        var deliveryId = request.Headers[WebhookSignature.DeliveryHeader].ToString();
        if (deliveryId.Length is 0 or > MaxDeliveryIdLength)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [WebhookSignature.DeliveryHeader] = [$"The {WebhookSignature.DeliveryHeader} header must carry a unique id of 1 to {MaxDeliveryIdLength} characters."] },
                title: "The delivery is invalid");
        }

        var outcome = await deliveries.RunOnceAsync(deliveryId, async token =>
        {
            var (decision, errors) = ParseDecision(body, time.GetUtcNow());
            if (decision is null)
            {
                return Outcome(StatusCodes.Status400BadRequest, new HttpValidationProblemDetails(errors) { Title = "The decision is invalid", Status = 400 });
            }

            var (result, phase, _) = await gate.DecideAsync(instanceId, decision, token);
            var (status, title) = Describe(result);
            if (result == DecisionResult.Accepted)
            {
                return new DeliveryOutcome(status, "application/json", JsonSerializer.Serialize(new { instanceId, decision = decision.Decision, deliveryId, decidedAt = decision.DecidedAt }, Json));
            }

            var detail = result switch
            {
                DecisionResult.NotAwaiting => $"Instance '{instanceId}' is in phase '{phase ?? "(none)"}', not AwaitingApproval; nothing was raised.",
                DecisionResult.AlreadyDecided => $"A decision for the current review of '{instanceId}' was already accepted; nothing was raised.",
                _ => $"{title}: '{instanceId}'; nothing was raised.",
            };
            return Outcome(status, new ProblemDetails { Status = status, Title = title, Detail = detail });
        }, ct);

        return Results.Text(outcome.Body, outcome.ContentType, System.Text.Encoding.UTF8, outcome.StatusCode);
    }

    private static DeliveryOutcome Outcome(int status, ProblemDetails problem) =>
        new(status, "application/problem+json", JsonSerializer.Serialize(problem, problem.GetType(), Json));

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private sealed record DecisionBody(string? Decision, string? Reviewer, string? Comment);
}
