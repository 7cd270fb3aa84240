using AgentFunctions.Research.Configuration;

namespace AgentFunctions.Research.Orchestration;

/// <summary>
/// Caps, budgets, timeouts and retry settings of the research pipeline, bound from the
/// <c>AgentFunctions:Research</c> configuration section. A run pins the values it uses into its history at its first
/// step (<see cref="Activities.LoadRunSettingsActivity"/>), so changing them never breaks a run in flight.
/// </summary>
public sealed class ResearchPipelineOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "AgentFunctions:Research";

    /// <summary>Most sub-queries the planner may return. Default 4.</summary>
    public int MaxSubQueries { get; set; } = 4;

    /// <summary>Upper bound on a request's <c>maxSources</c>; larger requests are clamped to it. Default 12.</summary>
    public int MaxSourcesCap { get; set; } = 12;

    /// <summary>Hits requested from the search provider per sub-query. Default 8.</summary>
    public int HitsPerSubQuery { get; set; } = 8;

    /// <summary>Extra synthesis rounds after a failed citation check. Default 2.</summary>
    public int MaxCitationRounds { get; set; } = 2;

    /// <summary>Reviewer-requested revisions a run will make; later <c>revise</c> decisions are declined. Default 3.</summary>
    public int MaxRevisions { get; set; } = 3;

    /// <summary>How long to wait for a reviewer when the request does not say. Default 24 hours.</summary>
    public TimeSpan DefaultApprovalTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Longest approval timeout a request may ask for; longer ones are clamped. Default 30 days.</summary>
    public TimeSpan MaxApprovalTimeout { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Upper bound on a request's <c>tokenBudget</c>; larger requests are clamped. Default 500,000.</summary>
    public int MaxTokenBudget { get; set; } = 500_000;

    /// <summary>
    /// Tokens assumed for one model call's fixed prompt (system prompt, framing, schema) when estimating the next
    /// step against the budget. Default 450, a little over the largest system prompt plus framing.
    /// </summary>
    public int PromptOverheadTokens { get; set; } = 450;

    /// <summary>Output token cap of one planner call. Default 600.</summary>
    public int PlannerMaxOutputTokens { get; set; } = 600;

    /// <summary>Output token cap of one source validator call. Default 300.</summary>
    public int ValidatorMaxOutputTokens { get; set; } = 300;

    /// <summary>Output token cap of one synthesizer call. Default 1500.</summary>
    public int SynthesizerMaxOutputTokens { get; set; } = 1500;

    /// <summary>Output token cap of one citation support check call. Default 500.</summary>
    public int CitationCheckerMaxOutputTokens { get; set; } = 500;

    /// <summary>Whether the citation check also asks the model whether each quote supports its claim. Default off.</summary>
    public bool VerifyCitationSupportWithModel { get; set; }

    /// <summary>Durable retry of model activities while the model is unavailable.</summary>
    public DurableRetryOptions ModelRetry { get; set; } = new()
    {
        MaxAttempts = 6,
        FirstInterval = TimeSpan.FromSeconds(30),
        BackoffCoefficient = 2,
        MaxInterval = TimeSpan.FromMinutes(5),
    };

    /// <summary>Durable retry of the callback POST.</summary>
    public DurableRetryOptions CallbackRetry { get; set; } = new()
    {
        MaxAttempts = 4,
        FirstInterval = TimeSpan.FromSeconds(10),
        BackoffCoefficient = 2,
        MaxInterval = TimeSpan.FromMinutes(2),
    };

    /// <summary>Timeout of one callback POST. Default 10 seconds.</summary>
    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws when a value is out of range, naming the setting.</summary>
    /// <exception cref="InvalidSettingException">A setting is out of range.</exception>
    public void Validate()
    {
        Positive(MaxSubQueries, nameof(MaxSubQueries));
        Positive(MaxSourcesCap, nameof(MaxSourcesCap));
        Positive(HitsPerSubQuery, nameof(HitsPerSubQuery));
        NotNegative(MaxCitationRounds, nameof(MaxCitationRounds));
        NotNegative(MaxRevisions, nameof(MaxRevisions));
        Positive(MaxTokenBudget, nameof(MaxTokenBudget));
        NotNegative(PromptOverheadTokens, nameof(PromptOverheadTokens));
        Positive(PlannerMaxOutputTokens, nameof(PlannerMaxOutputTokens));
        Positive(ValidatorMaxOutputTokens, nameof(ValidatorMaxOutputTokens));
        Positive(SynthesizerMaxOutputTokens, nameof(SynthesizerMaxOutputTokens));
        Positive(CitationCheckerMaxOutputTokens, nameof(CitationCheckerMaxOutputTokens));
        if (DefaultApprovalTimeout <= TimeSpan.Zero || DefaultApprovalTimeout > MaxApprovalTimeout)
        {
            throw new InvalidSettingException(
                $"{SectionName}:{nameof(DefaultApprovalTimeout)}", $"{DefaultApprovalTimeout} must be positive and at most {nameof(MaxApprovalTimeout)} ({MaxApprovalTimeout}).");
        }

        if (CallbackTimeout <= TimeSpan.Zero)
        {
            throw new InvalidSettingException($"{SectionName}:{nameof(CallbackTimeout)}", $"{CallbackTimeout} must be positive.");
        }

        (ModelRetry ?? throw new InvalidSettingException($"{SectionName}:{nameof(ModelRetry)}", "is required.")).Validate(nameof(ModelRetry));
        (CallbackRetry ?? throw new InvalidSettingException($"{SectionName}:{nameof(CallbackRetry)}", "is required.")).Validate(nameof(CallbackRetry));
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new InvalidSettingException($"{SectionName}:{name}", $"{value} is out of range; it must be at least 1.");
        }
    }

    private static void NotNegative(int value, string name)
    {
        if (value < 0)
        {
            throw new InvalidSettingException($"{SectionName}:{name}", $"{value} is out of range; it must not be negative.");
        }
    }
}
