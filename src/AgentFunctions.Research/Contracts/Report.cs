namespace AgentFunctions.Research.Contracts;

/// <summary>One numbered citation of a report: the claim marker <c>[N]</c> points here.</summary>
/// <param name="N">The marker number, starting at 1.</param>
/// <param name="SourceId">The accepted source it cites.</param>
/// <param name="Title">Source title.</param>
/// <param name="Url">Source URL.</param>
/// <param name="Quote">A verbatim passage of the source that supports the claim.</param>
public sealed record Citation(int N, string SourceId, string Title, string Url, string Quote);

/// <summary>A synthesized report: a summary whose claims carry <c>[N]</c> markers, and its citations.</summary>
/// <param name="Title">Report title.</param>
/// <param name="Summary">The report body with <c>[N]</c> markers.</param>
/// <param name="Citations">The citations the markers refer to.</param>
/// <param name="Conflicts">Points on which the cited sources disagree; empty when they agree (and in reports written
/// before the field existed).</param>
/// <param name="Answered">False when the accepted sources do not answer the question: the summary then says so and
/// what was found instead. True in reports written before the field existed.</param>
public sealed record ResearchReport(
    string Title,
    string Summary,
    IReadOnlyList<Citation> Citations,
    IReadOnlyList<ReportConflict>? Conflicts = null,
    bool Answered = true)
{
    /// <summary>Points on which the cited sources disagree; never null.</summary>
    public IReadOnlyList<ReportConflict> Conflicts { get; init; } = Conflicts ?? [];
}

/// <summary>A point on which accepted sources disagree, disclosed in the report rather than silently resolved.</summary>
/// <param name="Claim">The point in dispute, in a few words.</param>
/// <param name="Sources">What each source says about it; at least two sources.</param>
public sealed record ReportConflict(string Claim, IReadOnlyList<ConflictingSource> Sources);

/// <summary>One side of a <see cref="ReportConflict"/>.</summary>
/// <param name="SourceId">The source.</param>
/// <param name="Says">What it says on the point, quoted or closely paraphrased.</param>
public sealed record ConflictingSource(string SourceId, string Says);

/// <summary>A problem the citation check found.</summary>
/// <param name="N">The citation marker concerned (0 when the problem is not tied to one marker).</param>
/// <param name="Problem">What is wrong, for the synthesizer to fix.</param>
public sealed record CitationFinding(int N, string Problem);

/// <summary>The outcome of checking a draft's citations against its sources.</summary>
/// <param name="Passed">True when every marker resolves and every quote appears in its source.</param>
/// <param name="Findings">The problems found; empty when <paramref name="Passed"/>.</param>
public sealed record CitationCheck(bool Passed, IReadOnlyList<CitationFinding> Findings);
