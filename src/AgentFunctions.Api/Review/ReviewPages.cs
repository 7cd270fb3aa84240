using System.Text;
using AgentFunctions.Host.Durable;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using AgentFunctions.Host.Approvals;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Host.Operations;
using AgentFunctions.Host.Research;
using AgentFunctions.Host.Security;
using AgentFunctions.Research.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Host.Review;

/// <summary>
/// The server-rendered review site: <c>GET /</c> (runs, submit form), <c>GET/POST /review/{id}</c> (draft,
/// decision), <c>GET /ops</c>. Review pages are opened with signed, expiring links; their forms carry a
/// token bound to the instance and the decide action, so they need neither the webhook secret nor cookies,
/// and a cross-site form cannot forge a decision. With keys configured, the runs and operations pages need
/// a function key (<c>?code=</c>), as the API does.
/// </summary>
public static class ReviewPages
{
    private const int RecentRuns = 50;

    /// <summary>Maps the pages.</summary>
    public static IEndpointRouteBuilder MapReviewPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", RunsAsync).ExcludeFromDescription();
        app.MapPost("/", SubmitAsync).ExcludeFromDescription();
        app.MapGet("/review/{instanceId}", ReviewAsync).ExcludeFromDescription();
        app.MapPost("/review/{instanceId}", DecideAsync).ExcludeFromDescription();
        app.MapGet("/ops", OperationsAsync).ExcludeFromDescription();
        return app;
    }

    internal static async Task<IResult> RunsAsync(HttpRequest request, DurableTaskClient client, ReviewLinkSigner signer, HostSettings settings, CancellationToken ct)
    {
        if (!KeyAccepted(request, settings, null))
        {
            return KeyRequired();
        }

        return Page("Research runs", await RunsBodyAsync(request, client, signer, null, ct), StatusCodes.Status200OK, NavQuery(request));
    }

    private static async Task<string> RunsBodyAsync(HttpRequest request, DurableTaskClient client, ReviewLinkSigner signer, string? message, CancellationToken ct)
    {
        // Azure Storage lists instances in no useful order: read them all, keep the newest by creation time.
        var all = new List<OrchestrationMetadata>();
        await foreach (var instance in client.GetAllInstancesAsync(new OrchestrationQuery { PageSize = 500, FetchInputsAndOutputs = true }).WithCancellation(ct))
        {
            if (string.Equals(instance.Name, ResearchPipelineRegistration.ResearchOrchestratorName, StringComparison.OrdinalIgnoreCase))
            {
                all.Add(instance);
            }
        }

        var runs = all.OrderByDescending(i => i.CreatedAt).Take(RecentRuns)
            .Select(i => (RunView.From(i), ReviewLinks.ReviewPath(i.InstanceId, signer.Sign(LinkPurpose.View, i.InstanceId))))
            .ToList();
        return ReviewPageRenderer.Runs(runs, signer.Sign(LinkPurpose.Submit, string.Empty), FunctionKeyFilter.PresentedKey(request), message);
    }

    internal static async Task<IResult> SubmitAsync(
        HttpRequest request, DurableTaskClient client, ReviewLinkSigner signer, ResearchSubmitter submitter, HostSettings settings, CancellationToken ct)
    {
        var form = await ReadFormAsync(request, settings, ct);
        if (form is null)
        {
            return Page("Request too large", "<p class=\"status error\" role=\"alert\">The form is too large.</p>", StatusCodes.Status413PayloadTooLarge);
        }

        var code = Field(form, "code");
        if (!KeyAccepted(request, settings, code))
        {
            return KeyRequired();
        }

        if (!signer.TryVerify(Field(form, "token"), LinkPurpose.Submit, string.Empty, out _))
        {
            return Page("Form expired", "<p class=\"status error\" role=\"alert\">This form is not valid any more. Go back to the runs page and submit again.</p>", StatusCodes.Status403Forbidden);
        }

        var question = Field(form, "question")?.Trim() ?? string.Empty;
        if (question.Length is 0 or > ResearchSubmissionParser.MaxQuestionLength)
        {
            var message = $"Enter a question of 1 to {ResearchSubmissionParser.MaxQuestionLength} characters.";
            return Page("Research runs", await RunsBodyAsync(request, client, signer, message, ct), StatusCodes.Status400BadRequest, code is null ? null : $"?code={Uri.EscapeDataString(code)}");
        }

        var requireApproval = string.Equals(Field(form, "requireApproval"), "true", StringComparison.OrdinalIgnoreCase);
        var result = await submitter.SubmitAsync(new ResearchRequest(question, RequireApproval: requireApproval), idempotencyKey: null, ct);
        return TypedResults.Redirect(ReviewLinks.ReviewPath(result.InstanceId, signer.Sign(LinkPurpose.View, result.InstanceId)));
    }

    internal static async Task<IResult> ReviewAsync(
        string instanceId, string? token, string? decided, string? round, DurableTaskClient client, ReviewLinkSigner signer, CancellationToken ct)
    {
        if (!signer.TryVerify(token, LinkPurpose.View, instanceId, out var expires))
        {
            return LinkInvalid();
        }

        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, ct);
        if (instance is null)
        {
            return Page("Run not found", "<p class=\"status error\" role=\"alert\">This run does not exist (it may have been purged).</p>", StatusCodes.Status404NotFound);
        }

        var run = RunView.From(instance);
        var notice = decided is null ? null : $"Your decision ({decided}) was recorded.";

        // Until the run acts on the decision it still reports the round that was just decided: show no form
        // for it (a second decision would be refused) and keep refreshing until the run moves on.
        var awaitingThisDecision = run.AwaitingApproval && round is not null && round == ReviewDecisionGate.RoundKey(instance);
        var decideToken = awaitingThisDecision ? null : signer.Sign(LinkPurpose.Decide, instanceId, expires);
        var body = ReviewPageRenderer.Review(run, decideToken, notice, noticeIsError: false);
        var refresh = !run.Status.IsTerminal() && (!run.AwaitingApproval || awaitingThisDecision);
        return Page($"Review: {run.Title ?? run.Question ?? instanceId}", body, StatusCodes.Status200OK, autoRefresh: refresh);
    }

    internal static async Task<IResult> DecideAsync(
        string instanceId, HttpRequest request, DurableTaskClient client, ReviewLinkSigner signer, ReviewDecisionGate gate, HostSettings settings, TimeProvider time, CancellationToken ct)
    {
        var form = await ReadFormAsync(request, settings, ct);
        if (form is null)
        {
            return Page("Request too large", "<p class=\"status error\" role=\"alert\">The form is too large.</p>", StatusCodes.Status413PayloadTooLarge);
        }

        if (!signer.TryVerify(Field(form, "token"), LinkPurpose.Decide, instanceId, out var expires))
        {
            return LinkInvalid();
        }

        var viewPath = ReviewLinks.ReviewPath(instanceId, signer.Sign(LinkPurpose.View, instanceId, expires));
        var (decision, errors) = ApprovalsApi.ValidateDecision(
            Field(form, "decision"), Field(form, "reviewer"), Field(form, "comment"), time.GetUtcNow());
        (DecisionResult Result, string? Phase, string? Round) outcome = default;
        if (decision is not null)
        {
            outcome = await gate.DecideAsync(instanceId, decision, ct);
            if (outcome.Result == DecisionResult.Accepted)
            {
                // Post/Redirect/Get: a reload shows the run instead of re-posting the decision.
                return TypedResults.Redirect($"{viewPath}&decided={Uri.EscapeDataString(decision.Decision)}&round={outcome.Round}");
            }
        }

        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, ct);
        if (instance is null)
        {
            return Page("Run not found", "<p class=\"status error\" role=\"alert\">This run does not exist (it may have been purged).</p>", StatusCodes.Status404NotFound);
        }

        var (status, title) = decision is null ? (StatusCodes.Status400BadRequest, "The decision is incomplete") : ApprovalsApi.Describe(outcome.Result);
        var message = decision is null ? string.Join(" ", errors.Values.SelectMany(v => v)) : $"{title}. Nothing was recorded.";
        var run = RunView.From(instance);
        var body = ReviewPageRenderer.Review(run, signer.Sign(LinkPurpose.Decide, instanceId, expires), message, noticeIsError: true);
        return Page($"Review: {run.Title ?? run.Question ?? instanceId}", body, status);
    }

    internal static async Task<IResult> OperationsAsync(HttpRequest request, HostSettings settings, IServiceProvider services, CancellationToken ct)
    {
        if (!KeyAccepted(request, settings, null))
        {
            return KeyRequired();
        }

        var source = services.GetService<IOperationsSnapshotSource>();
        var snapshot = source is null ? null : await source.GetSnapshotAsync(ct);
        return Page("Operations", ReviewPageRenderer.Operations(snapshot), StatusCodes.Status200OK, NavQuery(request));
    }

    /// <summary>An url-encoded form read within the body limit; null when too large. Other encodings read as empty.</summary>
    private static async Task<Dictionary<string, StringValues>?> ReadFormAsync(HttpRequest request, HostSettings settings, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(request, settings.MaxRequestBodyBytes, ct);
        if (body is null)
        {
            return null;
        }

        return request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true
            ? QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body))
            : [];
    }

    private static string? Field(Dictionary<string, StringValues> form, string name) =>
        form.TryGetValue(name, out var values) ? values.FirstOrDefault() : null;

    private static bool KeyAccepted(HttpRequest request, HostSettings settings, string? formCode) =>
        !settings.Keys.Enabled
        || FunctionKeyFilter.IsAuthorized(request, settings.Keys, KeyLevel.Function)
        || settings.Keys.IsFunctionKey(formCode);

    private static string? NavQuery(HttpRequest request) =>
        FunctionKeyFilter.PresentedKey(request) is { } code ? $"?code={Uri.EscapeDataString(code)}" : null;

    private static IResult KeyRequired() => Page(
        "Key required",
        "<p class=\"status error\" role=\"alert\">This host has function keys configured: open this page with <code>?code=&lt;function key&gt;</code>. Review links sent to reviewers work without a key.</p>",
        StatusCodes.Status401Unauthorized);

    private static IResult LinkInvalid() => Page(
        "Link not valid",
        "<p class=\"status error\" role=\"alert\">This review link is invalid or has expired. Ask for a new link.</p>",
        StatusCodes.Status403Forbidden);

    private static IResult Page(string title, string body, int status, string? navQuery = null, bool autoRefresh = false) =>
        TypedResults.Content(Html.Page(title, body, navQuery, autoRefresh), "text/html; charset=utf-8", null, status);
}
