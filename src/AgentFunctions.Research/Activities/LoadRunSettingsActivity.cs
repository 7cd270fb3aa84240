using Microsoft.DurableTask;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;
using AgentFunctions.Research.Publishing;

namespace AgentFunctions.Research.Activities;

/// <summary>Input of <see cref="LoadRunSettingsActivity"/>.</summary>
/// <param name="Request">The submitted request.</param>
public sealed record LoadRunSettingsInput(ResearchRequest Request);

/// <summary>
/// Resolves a request against the configured <see cref="ResearchPipelineOptions"/>. Orchestrators may not read
/// configuration (it can change between replays), so the first step of a run records the values it will use.
/// </summary>
/// <param name="options">The configured pipeline options.</param>
/// <param name="callbackPolicy">Where callbacks may go; a refused callback URL fails the run before any work is done.</param>
public sealed class LoadRunSettingsActivity(ResearchPipelineOptions options, CallbackUrlPolicy callbackPolicy) : TaskActivity<LoadRunSettingsInput, RunSettings>
{
    /// <inheritdoc />
    public override Task<RunSettings> RunAsync(TaskActivityContext context, LoadRunSettingsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Task.FromResult(Resolve(input.Request, options, callbackPolicy));
    }

    /// <summary>The effective settings of <paramref name="request"/> under <paramref name="options"/>.</summary>
    /// <param name="request">The submitted request.</param>
    /// <param name="options">The pipeline options.</param>
    /// <param name="callbackPolicy">Where callbacks may go, judged on the URL as written (the sender checks resolved addresses).</param>
    /// <exception cref="NonRetryableException">The request is unusable (no question, bad numbers, bad or refused callback URL).</exception>
    public static RunSettings Resolve(ResearchRequest request, ResearchPipelineOptions options, CallbackUrlPolicy callbackPolicy)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(callbackPolicy);
        if (request is null || string.IsNullOrWhiteSpace(request.Question))
        {
            throw new NonRetryableException("The research request has no question; 'question' is required.");
        }

        if (request.MaxSources < 1)
        {
            throw new NonRetryableException($"The research request's maxSources is {request.MaxSources}; it must be at least 1.");
        }

        if (request.TokenBudget < 1)
        {
            throw new NonRetryableException($"The research request's tokenBudget is {request.TokenBudget}; it must be at least 1.");
        }

        if (request.ApprovalTimeout is { } asked && asked <= TimeSpan.Zero)
        {
            throw new NonRetryableException($"The research request's approvalTimeout is {asked}; it must be positive.");
        }

        if (!string.IsNullOrWhiteSpace(request.CallbackUrl))
        {
            if (!Uri.TryCreate(request.CallbackUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new NonRetryableException($"The research request's callbackUrl '{request.CallbackUrl}' is not an absolute http or https URL.");
            }

            // The host refuses these at submission already; this covers other submitters and a policy tightened since.
            if (!callbackPolicy.IsAllowed(uri, out var reason))
            {
                throw new CallbackUrlRefusedException($"The research request's callbackUrl {CallbackUrlPolicy.Describe(uri)} is refused: {reason}.");
            }
        }

        var timeout = request.ApprovalTimeout ?? options.DefaultApprovalTimeout;
        return new RunSettings(
            request.Question.Trim(),
            options.MaxSubQueries,
            Math.Min(request.MaxSources, options.MaxSourcesCap),
            options.HitsPerSubQuery,
            options.MaxCitationRounds,
            options.MaxRevisions,
            request.RequireApproval,
            timeout > options.MaxApprovalTimeout ? options.MaxApprovalTimeout : timeout,
            Math.Min(request.TokenBudget, options.MaxTokenBudget),
            string.IsNullOrWhiteSpace(request.CallbackUrl) ? null : request.CallbackUrl,
            new TokenEstimates(
                options.PromptOverheadTokens,
                options.PlannerMaxOutputTokens,
                options.ValidatorMaxOutputTokens,
                options.SynthesizerMaxOutputTokens,
                options.VerifyCitationSupportWithModel ? options.CitationCheckerMaxOutputTokens : 0),
            options.ModelRetry.ToSchedule(),
            options.CallbackRetry.ToSchedule());
    }
}
