using System.Globalization;
using System.Text;
using AgentFunctions.Research.Contracts;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Host.Review;

/// <summary>One page of the runs list after filtering.</summary>
/// <param name="Runs">The runs on this page, newest first.</param>
/// <param name="Page">The page number, from 1.</param>
/// <param name="PageCount">Pages in all (at least 1).</param>
/// <param name="Matched">Runs that pass the filter.</param>
/// <param name="Source">What was read.</param>
internal sealed record RunPage(IReadOnlyList<RunView> Runs, int Page, int PageCount, int Matched, RecentRuns Source);

/// <summary>
/// The runs page's filter, from its query string: <c>status</c> (a runtime status), <c>outcome</c> (a research
/// outcome), <c>awaiting=1</c> (runs waiting for a reviewer's decision) and <c>page</c>.
/// </summary>
internal sealed record RunFilter(RunStatus? Status, ResearchOutcome? Outcome, bool Awaiting, int Page)
{
    /// <summary>Runs per page.</summary>
    public const int PageSize = 20;

    /// <summary>The statuses offered in the filter.</summary>
    public static IReadOnlyList<RunStatus> Statuses { get; } =
        [RunStatus.Pending, RunStatus.Running, RunStatus.Suspended, RunStatus.Completed, RunStatus.Failed, RunStatus.Terminated];

    /// <summary>No filter, first page.</summary>
    public static RunFilter None { get; } = new(null, null, false, 1);

    /// <summary>True when any criterion is set.</summary>
    public bool Any => Status is not null || Outcome is not null || Awaiting;

    /// <summary>Reads the filter; each unusable value is named in <paramref name="errors"/> and ignored.</summary>
    public static RunFilter From(IQueryCollection query, out List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(query);
        errors = [];
        RunStatus? status = null;
        if (Value(query, "status") is { } statusText)
        {
            if (Enum.TryParse<RunStatus>(statusText, ignoreCase: true, out var parsed) && Statuses.Contains(parsed))
            {
                status = parsed;
            }
            else
            {
                errors.Add($"status '{statusText}' is not one of {string.Join(", ", Statuses)}.");
            }
        }

        ResearchOutcome? outcome = null;
        if (Value(query, "outcome") is { } outcomeText)
        {
            if (Enum.TryParse<ResearchOutcome>(outcomeText, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(outcomeText, out _))
            {
                outcome = parsed;
            }
            else
            {
                errors.Add($"outcome '{outcomeText}' is not one of {string.Join(", ", Enum.GetNames<ResearchOutcome>())}.");
            }
        }

        var awaiting = Value(query, "awaiting") is { } awaitingText && awaitingText is "1" or "true" or "on";
        var page = 1;
        if (Value(query, "page") is { } pageText && (!int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1))
        {
            errors.Add($"page '{pageText}' is not a page number (1 or more).");
            page = 1;
        }

        return new RunFilter(status, outcome, awaiting, page);
    }

    /// <summary>True when the run passes every criterion.</summary>
    public bool Matches(RunView run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return (Status is null || run.Status == Status)
            && (Outcome is null || string.Equals(run.Outcome, Outcome.ToString(), StringComparison.OrdinalIgnoreCase))
            && (!Awaiting || run.AwaitingApproval);
    }

    /// <summary>The page of <paramref name="source"/> this filter asks for (the last page when it asks past the end).</summary>
    public RunPage Apply(RecentRuns source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var matched = source.Runs.Where(Matches).ToList();
        var pageCount = Math.Max(1, (matched.Count + PageSize - 1) / PageSize);
        var page = Math.Min(Page, pageCount);
        return new RunPage([.. matched.Skip((page - 1) * PageSize).Take(PageSize)], page, pageCount, matched.Count, source);
    }

    /// <summary>The query string of this filter at <paramref name="page"/>, with the function key when there is one.</summary>
    public string Query(int page, string? code)
    {
        var query = new StringBuilder();
        void Add(string name, string value) =>
            query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        if (Status is { } status)
        {
            Add("status", status.ToString());
        }

        if (Outcome is { } outcome)
        {
            Add("outcome", outcome.ToString());
        }

        if (Awaiting)
        {
            Add("awaiting", "1");
        }

        if (page > 1)
        {
            Add("page", page.ToString(CultureInfo.InvariantCulture));
        }

        if (code is not null)
        {
            Add("code", code);
        }

        return query.Length == 0 ? "/" : "/" + query;
    }

    private static string? Value(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.FirstOrDefault() is { Length: > 0 } value ? value.Trim() : null;
}
