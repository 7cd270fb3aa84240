using AgentFunctions.Durable;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;

namespace AgentFunctions.Research.Activities;

/// <summary>Input of <see cref="LoadRunSettingsActivity"/>.</summary>
/// <param name="Request">The submitted request.</param>
public sealed record LoadRunSettingsInput(ResearchRequest Request);

/// <summary>
/// Resolves a request against the configured <see cref="ResearchPipelineOptions"/>. Orchestrators may not read
/// configuration (it can change between replays), so the first step of a run records the values it will use.
/// </summary>
/// <param name="options">The configured pipeline options.</param>
public sealed class LoadRunSettingsActivity(ResearchPipelineOptions options) : TaskActivity<LoadRunSettingsInput, RunSettings>
{
    /// <inheritdoc />
    public override Task<RunSettings> RunAsync(TaskActivityContext context, LoadRunSettingsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Task.FromResult(Resolve(input.Request, options));
    }

    /// <summary>The effective settings of <paramref name="request"/> under <paramref name="options"/>.</summary>
    /// <param name="request">The submitted request.</param>
    /// <param name="options">The pipeline options.</param>
    /// <exception cref="NonRetryableException">The request is unusable (no question, bad numbers, bad callback URL).</exception>
    public static RunSettings Resolve(ResearchRequest request, ResearchPipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
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

        if (request.CallbackUrl is { } url
            && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            throw new NonRetryableException($"The research request's callbackUrl '{url}' is not an absolute http or https URL.");
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
