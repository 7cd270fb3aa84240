namespace AgentFunctions.Research.Orchestration;

/// <summary>
/// The effective settings of one run: the request resolved against <see cref="ResearchPipelineOptions"/> (defaults
/// filled, caps applied). Recorded in the run's history by its first activity, so replays and runs in flight keep
/// the values they started with whatever the configuration says later.
/// </summary>
/// <param name="Question">The question, trimmed.</param>
/// <param name="MaxSubQueries">Most sub-queries to plan.</param>
/// <param name="MaxSources">Most sources to validate after de-duplication.</param>
/// <param name="HitsPerSubQuery">Hits requested per sub-query.</param>
/// <param name="MaxCitationRounds">Extra synthesis rounds after a failed citation check.</param>
/// <param name="MaxRevisions">Reviewer-requested revisions the run will make.</param>
/// <param name="RequireApproval">Whether a reviewer must decide.</param>
/// <param name="ApprovalTimeout">How long each draft waits for the reviewer.</param>
/// <param name="TokenBudget">Tokens the run may spend.</param>
/// <param name="CallbackUrl">Where the result is POSTed, if anywhere.</param>
/// <param name="Estimates">Per-call figures used to estimate a step's tokens before scheduling it.</param>
/// <param name="ModelRetry">Durable retry of model activities while the model is unavailable.</param>
/// <param name="CallbackRetry">Durable retry of the callback.</param>
public sealed record RunSettings(
    string Question,
    int MaxSubQueries,
    int MaxSources,
    int HitsPerSubQuery,
    int MaxCitationRounds,
    int MaxRevisions,
    bool RequireApproval,
    TimeSpan ApprovalTimeout,
    int TokenBudget,
    string? CallbackUrl,
    TokenEstimates Estimates,
    RetrySchedule ModelRetry,
    RetrySchedule CallbackRetry);

/// <summary>
/// The figures of the conservative per-step token estimate: prompt text at about four characters per token (the
/// tokenizer-free rule the offline model also uses) plus a fixed prompt overhead plus the full output cap.
/// </summary>
/// <param name="PromptOverhead">Tokens of one call's fixed prompt.</param>
/// <param name="PlannerOutput">Output cap of a planner call.</param>
/// <param name="ValidatorOutput">Output cap of a validator call.</param>
/// <param name="SynthesizerOutput">Output cap of a synthesizer call.</param>
/// <param name="CitationCheckerOutput">Output cap of a support-check call; 0 when the check makes no model call.</param>
public sealed record TokenEstimates(int PromptOverhead, int PlannerOutput, int ValidatorOutput, int SynthesizerOutput, int CitationCheckerOutput)
{
    /// <summary>Tokens of <paramref name="characters"/> characters of prompt text, rounded up.</summary>
    /// <param name="characters">Characters of prompt text.</param>
    public static long ForText(long characters) => (characters + 3) / 4;
}
