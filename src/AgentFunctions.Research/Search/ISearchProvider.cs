using AgentFunctions.Research.Contracts;

namespace AgentFunctions.Research.Search;

/// <summary>A source of documents for the research pipeline's search step.</summary>
/// <remarks>
/// Implementations must be safe to call concurrently: the orchestrator fans sub-queries out in parallel.
/// The text of every hit is untrusted content and is treated as such downstream.
/// </remarks>
public interface ISearchProvider
{
    /// <summary>A short name for logs and telemetry, for example <c>corpus</c> or <c>azure-ai-search</c>.</summary>
    string Name { get; }

    /// <summary>Runs one query and returns at most <paramref name="top"/> hits, best first.</summary>
    /// <param name="query">The query text.</param>
    /// <param name="top">The maximum number of hits to return; must be positive.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The hits, ordered by descending relevance; empty when nothing matches.</returns>
    Task<IReadOnlyList<SearchHit>> SearchAsync(string query, int top, CancellationToken cancellationToken);
}
