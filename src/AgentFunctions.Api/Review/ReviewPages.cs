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
using Microsoft.Extensions.DependencyInjection.Extensions;

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
    /// <summary>Seconds between reloads of a page that shows a working run.</summary>
    private const int RunsRefreshSeconds = 5;
    private const int ReviewRefreshSeconds = 2;

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

    /// <summary>Registers what the pages read runs through.</summary>
    public static IServiceCollection AddReviewPages(this IServiceCollection services)
    {
        services.TryAddSingleton<RunsQuery>();
        return services;
    }

    internal static async Task<IResult> RunsAsync(HttpRequest request, RunsQuery runs, ReviewLinkSigner signer, HostSettings settings, TimeProvider time, CancellationToken ct)
    {
        if (!KeyAccepted(request, settings, null))
        {
            return KeyRequired();
        }

        var filter = RunFilter.From(request.Query, out var errors);
        var live = !string.Equals(request.Query["live"].ToString(), "off", StringComparison.OrdinalIgnoreCase);
        var message = errors.Count == 0 ? null : "Some filters were ignored: " + string.Join(" ", errors);
        var (body, refresh) = await RunsBodyAsync(request, runs, signer, filter, live, message, time, ct);
        return Page("Research runs", body, errors.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest, NavQuery(request), refresh);
    }

    private static async Task<(string Body, int? Refresh)> RunsBodyAsync(
        HttpRequest request, RunsQuery runs, ReviewLinkSigner signer, RunFilter filter, bool live, string? message, TimeProvider time, CancellationToken ct)
    {
        var page = filter.Apply(await runs.RecentAsync(ct));

        // Only a working run changes by itself; a page of finished or waiting runs stays still.
        int? refresh = live && page.Runs.Any(r => r.Working) ? RunsRefreshSeconds : null;
        var body = ReviewPageRenderer.Runs(
            page,
            filter,
            time.GetUtcNow(),
            run => ReviewLinks.ReviewPath(run.InstanceId, signer.Sign(LinkPurpose.View, run.InstanceId)),
            signer.Sign(LinkPurpose.Submit, string.Empty),
            FunctionKeyFilter.PresentedKey(request),
            message,
            refresh is not null);
        return (body, refresh);
    }

    internal static async Task<IResult> SubmitAsync(
        HttpRequest request, RunsQuery runs, ReviewLinkSigner signer, ResearchSubmitter submitter, HostSettings settings, TimeProvider time, CancellationToken ct)
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
            var (body, _) = await RunsBodyAsync(request, runs, signer, RunFilter.None, live: false, message, time, ct);
            return Page("Research runs", body, StatusCodes.Status400BadRequest, code is null ? null : $"?code={Uri.EscapeDataString(code)}");
        }

        var requireApproval = string.Equals(Field(form, "requireApproval"), "true", StringComparison.OrdinalIgnoreCase);
        var result = await submitter.SubmitAsync(new ResearchRequest(question, RequireApproval: requireApproval), idempotencyKey: null, ct);
        return TypedResults.Redirect(ReviewLinks.ReviewPath(result.InstanceId, signer.Sign(LinkPurpose.View, result.InstanceId)));
    }

    internal static async Task<IResult> ReviewAsync(
        string instanceId, string? token, string? decided, string? round, RunsQuery runs, ReviewLinkSigner signer, TimeProvider time, CancellationToken ct)
    {
        if (!signer.TryVerify(token, LinkPurpose.View, instanceId, out var expires))
        {
            return LinkInvalid();
        }

        if (await runs.GetAsync(instanceId, ct) is not var (run, currentRound))
        {
            return RunNotFound();
        }

        var notice = decided is null ? null : $"Your decision ({decided}) was recorded.";

        // Until the run acts on the decision it still reports the round that was just decided: show no form
        // for it (a second decision would be refused) and keep refreshing until the run moves on.
        var awaitingThisDecision = run.AwaitingApproval && round is not null && round == currentRound;
        var decideToken = awaitingThisDecision ? null : signer.Sign(LinkPurpose.Decide, instanceId, expires);
        var body = ReviewPageRenderer.Review(run, time.GetUtcNow(), decideToken, notice, noticeIsError: false);
        var refresh = !run.IsTerminal && (!run.AwaitingApproval || awaitingThisDecision);
        return Page(ReviewTitle(run), body, StatusCodes.Status200OK, refreshSeconds: refresh ? ReviewRefreshSeconds : null);
    }

    internal static async Task<IResult> DecideAsync(
        string instanceId, HttpRequest request, RunsQuery runs, ReviewLinkSigner signer, ReviewDecisionGate gate, HostSettings settings, TimeProvider time, CancellationToken ct)
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

        if (await runs.GetAsync(instanceId, ct) is not var (run, _))
        {
            return RunNotFound();
        }

        var (status, title) = decision is null ? (StatusCodes.Status400BadRequest, "The decision is incomplete") : ApprovalsApi.Describe(outcome.Result);
        var message = decision is null ? string.Join(" ", errors.Values.SelectMany(v => v)) + " Nothing was recorded." : $"{title}. Nothing was recorded.";
        var body = ReviewPageRenderer.Review(run, time.GetUtcNow(), signer.Sign(LinkPurpose.Decide, instanceId, expires), message, noticeIsError: true);
        return Page(ReviewTitle(run), body, status);
    }

    internal static async Task<IResult> OperationsAsync(HttpRequest request, HostSettings settings, RunsQuery runs, TimeProvider time, IServiceProvider services, CancellationToken ct)
    {
        if (!KeyAccepted(request, settings, null))
        {
            return KeyRequired();
        }

        var source = services.GetService<IOperationsSnapshotSource>();
        var snapshot = source is null ? null : await source.GetSnapshotAsync(ct);
        var recent = await runs.RecentAsync(ct);
        BatchQueueDepth? depth = null;
        string? queueNote = null;
        if (services.GetService<IBatchQueueMonitor>() is { } monitor)
        {
            try
            {
                depth = await monitor.GetDepthAsync(ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // The page is for finding out what is wrong: an unreachable queue is a figure, not an error page.
                queueNote = $"unavailable: {ex.Message}";
            }
        }
        else
        {
            queueNote = "off";
        }

        var view = new OperationsView(time.GetUtcNow(), snapshot, recent, depth, queueNote, settings.Operations);
        return Page("Operations", ReviewPageRenderer.Operations(view), StatusCodes.Status200OK, NavQuery(request));
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

    /// <summary>The review page's title: the draft's title or the question, cut so that a long one does not fill a phone's screen.</summary>
    private static string ReviewTitle(RunView run)
    {
        var title = run.Title ?? run.Question ?? run.InstanceId;
        return "Review: " + (title.Length <= 100 ? title : title[..99] + "\u2026");
    }

    private static IResult RunNotFound() => Page(
        "Run not found",
        "<p class=\"status error\" role=\"alert\">This run does not exist (it may have been purged).</p>",
        StatusCodes.Status404NotFound);

    private static IResult Page(string title, string body, int status, string? navQuery = null, int? refreshSeconds = null) =>
        TypedResults.Content(Html.Page(title, body, navQuery, refreshSeconds), "text/html; charset=utf-8", null, status);
}
