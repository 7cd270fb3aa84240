namespace AgentFunctions.Research.Contracts;

/// <summary>The reviewer's decision, raised into the orchestration as the <c>ReviewDecision</c> event.</summary>
/// <param name="Decision">One of <c>approve</c>, <c>reject</c>, <c>revise</c>.</param>
/// <param name="Reviewer">Who decided.</param>
/// <param name="Comment">Free text; for <c>revise</c> it is the feedback given to the synthesizer.</param>
/// <param name="DecidedAt">When the decision was made.</param>
public sealed record ReviewDecision(string Decision, string? Reviewer, string? Comment, DateTimeOffset DecidedAt)
{
    /// <summary>The external event name the orchestrator waits on.</summary>
    public const string EventName = "ReviewDecision";

    /// <summary>Decision value that publishes the report.</summary>
    public const string Approve = "approve";

    /// <summary>Decision value that ends the run without publishing.</summary>
    public const string Reject = "reject";

    /// <summary>Decision value that sends the draft back to synthesis with the comment.</summary>
    public const string Revise = "revise";
}
