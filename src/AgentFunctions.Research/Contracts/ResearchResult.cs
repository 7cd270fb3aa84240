using System.Text.Json.Serialization;

namespace AgentFunctions.Research.Contracts;

/// <summary>How a research run ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ResearchOutcome>))]
public enum ResearchOutcome
{
    /// <summary>A reviewer approved; the report was published.</summary>
    Approved,

    /// <summary>A reviewer rejected; nothing was published.</summary>
    Rejected,

    /// <summary>No decision arrived before the approval timeout.</summary>
    TimedOut,

    /// <summary>No approval was asked for; the report was published.</summary>
    NotReviewed,

    /// <summary>The token budget ran out; the run ended with what it had.</summary>
    BudgetExceeded,
}

/// <summary>The phase a running research orchestration reports in its custom status.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ResearchPhase>))]
public enum ResearchPhase
{
    /// <summary>Decomposing the question into sub-queries.</summary>
    Planning,

    /// <summary>Running the sub-query searches.</summary>
    Searching,

    /// <summary>Judging each source's relevance and trust.</summary>
    Validating,

    /// <summary>Writing the cited report.</summary>
    Synthesizing,

    /// <summary>Checking every citation against its source.</summary>
    CheckingCitations,

    /// <summary>Waiting for a reviewer's decision.</summary>
    AwaitingApproval,

    /// <summary>Rewriting the report with the reviewer's feedback.</summary>
    Revising,

    /// <summary>Storing the report and calling back.</summary>
    Publishing,

    /// <summary>The run is over; the status's <c>outcome</c> says how it ended.</summary>
    Finished,
}

/// <summary>The output of a completed research orchestration (docs/http.md, "Output").</summary>
/// <param name="Question">The question asked.</param>
/// <param name="Outcome">How the run ended.</param>
/// <param name="Report">The final report, when one was written.</param>
/// <param name="Sources">Every validated source with its verdict.</param>
/// <param name="Review">The reviewer's decision, or null when none was asked or none arrived.</param>
/// <param name="Usage">Model usage of the run.</param>
/// <param name="Revisions">How many reviewer-requested revisions were made.</param>
public sealed record ResearchResult(
    string Question,
    ResearchOutcome Outcome,
    ResearchReport? Report,
    IReadOnlyList<SourceSummary> Sources,
    ReviewDecision? Review,
    Usage Usage,
    int Revisions);
