namespace AgentFunctions.Research.Contracts;

/// <summary>A research question as submitted over HTTP or inside a batch message.</summary>
/// <param name="Question">The question to research; required, non-empty.</param>
/// <param name="MaxSources">Upper bound on the sources that reach validation after de-duplication.</param>
/// <param name="RequireApproval">Whether a human reviewer must decide before the report is published.</param>
/// <param name="ApprovalTimeout">How long to wait for the reviewer; <c>null</c> means the configured default.</param>
/// <param name="TokenBudget">Input plus output tokens this run may spend on model calls. The default, 40,000, covers
/// planning, validating the default 8 sources, a first draft and the default 3 revisions with the step estimates'
/// margin (20,000 ran out at the second revision).</param>
/// <param name="CallbackUrl">Where the published result is POSTed, if anywhere.</param>
public sealed record ResearchRequest(
    string Question,
    int MaxSources = 8,
    bool RequireApproval = true,
    TimeSpan? ApprovalTimeout = null,
    int TokenBudget = 40_000,
    string? CallbackUrl = null);
