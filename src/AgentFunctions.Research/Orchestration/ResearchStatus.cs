using System.Text;
using Microsoft.DurableTask;
using AgentFunctions.Research.Contracts;

namespace AgentFunctions.Research.Orchestration;

/// <summary>
/// The custom status of a research run, set at every step. While <see cref="ResearchPhase.AwaitingApproval"/> it
/// carries the draft and the source list so a review page can render it from the status alone.
/// </summary>
/// <param name="Phase">The current phase.</param>
/// <param name="Usage">Model usage so far.</param>
/// <param name="TokenBudget">The run's token budget.</param>
/// <param name="SubQueries">Sub-queries planned.</param>
/// <param name="SourceCounts">How many sources were found, validated, accepted and rejected.</param>
/// <param name="SearchFailures">Sub-queries whose search failed, with the error; the run went on without them.</param>
/// <param name="CitationRound">0 for a first draft, n for the n-th redraft after a failed citation check.</param>
/// <param name="Revisions">Reviewer-requested revisions made so far.</param>
/// <param name="RevisionsLeft">Revisions a reviewer may still ask for.</param>
/// <param name="CitationProblems">Findings of the last citation check when it still failed after every round.</param>
/// <param name="Sources">Every validated source with its verdict, once validation is done.</param>
/// <param name="Draft">The draft under review (quotes and summary trimmed if the status would pass the size cap).</param>
/// <param name="DecideBy">When the run stops waiting for the reviewer.</param>
/// <param name="Outcome">How the run ended, once it has.</param>
/// <param name="Note">A short human-readable remark (why the budget stopped the run, a declined revision, ...).</param>
/// <param name="RevisionRequests">The reviewer decisions that asked for a revision, oldest first, so a reviewer sees what was asked before.</param>
public sealed record ResearchStatus(
    ResearchPhase Phase,
    Usage Usage,
    int TokenBudget,
    int SubQueries,
    SourceCounts SourceCounts,
    IReadOnlyList<string> SearchFailures,
    int CitationRound,
    int Revisions,
    int RevisionsLeft,
    IReadOnlyList<CitationFinding> CitationProblems,
    IReadOnlyList<SourceSummary>? Sources,
    ResearchReport? Draft,
    DateTime? DecideBy,
    ResearchOutcome? Outcome,
    string? Note,
    IReadOnlyList<ReviewDecision>? RevisionRequests = null)
{
    /// <summary>Serialized size the status is kept under, leaving headroom below the runtime's 16 KB cap.</summary>
    public const int MaxBytes = 15 * 1024;

    /// <summary>
    /// This status, trimmed until it serializes under <see cref="MaxBytes"/>: first quotes, then the summary, then
    /// source reasons, then the source list and findings are cut. The output of the run is never trimmed.
    /// </summary>
    public ResearchStatus FitToCap()
    {
        var status = this;
        (int Quote, int Summary, int Reason, int Items)[] levels = [(400, 6000, 300, 50), (160, 3000, 120, 30), (60, 1200, 60, 12), (0, 300, 0, 4)];
        foreach (var (quote, summary, reason, items) in levels)
        {
            if (Size(status) <= MaxBytes)
            {
                return status;
            }

            status = this with
            {
                Draft = Draft is null ? null : Draft with
                {
                    Summary = Cut(Draft.Summary, summary),
                    Citations = [.. Draft.Citations.Select(c => c with { Quote = Cut(c.Quote, quote) })],
                },
                Sources = Sources is null ? null : [.. Sources.Take(items).Select(s => s with { Reason = Cut(s.Reason, reason) })],
                SearchFailures = [.. SearchFailures.Take(items).Select(f => Cut(f, Math.Max(reason, 80)))],
                CitationProblems = [.. CitationProblems.Take(items).Select(f => f with { Problem = Cut(f.Problem, Math.Max(reason, 80)) })],
                Note = Note is null ? null : Cut(Note, 300),
                RevisionRequests = RevisionRequests is null ? null : [.. RevisionRequests.Select(r => r with { Comment = r.Comment is null ? null : Cut(r.Comment, Math.Max(reason, 200)) })],
            };
        }

        return status;
    }

    private static int Size(ResearchStatus status) => Encoding.UTF8.GetByteCount(ResearchJson.Converter.Serialize(status) ?? string.Empty);

    private static string Cut(string text, int max) => text.Length <= max ? text : max <= 1 ? string.Empty : text[..(max - 1)] + "\u2026";
}

/// <summary>Source counts of a run.</summary>
/// <param name="Found">Distinct sources the searches returned.</param>
/// <param name="Validated">Sources judged (after the <c>maxSources</c> cap).</param>
/// <param name="Accepted">Sources accepted for citation.</param>
/// <param name="Rejected">Sources rejected (injection suspects included).</param>
/// <param name="InjectionSuspected">Rejected sources that carried instructions aimed at the model.</param>
public sealed record SourceCounts(int Found, int Validated, int Accepted, int Rejected, int InjectionSuspected)
{
    /// <summary>No sources yet.</summary>
    public static SourceCounts None { get; } = new(0, 0, 0, 0, 0);
}
