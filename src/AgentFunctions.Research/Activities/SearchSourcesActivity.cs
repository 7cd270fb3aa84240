using Microsoft.DurableTask;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Search;
using AgentFunctions.Research.Telemetry;

namespace AgentFunctions.Research.Activities;

/// <summary>Input of <see cref="SearchSourcesActivity"/>.</summary>
/// <param name="Query">The sub-query text.</param>
/// <param name="Top">Most hits to return.</param>
public sealed record SearchSourcesInput(string Query, int Top);

/// <summary>Output of <see cref="SearchSourcesActivity"/>.</summary>
/// <param name="Hits">The hits, best first. Their text is untrusted.</param>
public sealed record SearchSourcesOutput(IReadOnlyList<SearchHit> Hits);

/// <summary>Runs one sub-query against the configured <see cref="ISearchProvider"/>.</summary>
/// <param name="search">The search provider.</param>
public sealed class SearchSourcesActivity(ISearchProvider search) : TaskActivity<SearchSourcesInput, SearchSourcesOutput>
{
    /// <inheritdoc />
    public override async Task<SearchSourcesOutput> RunAsync(TaskActivityContext context, SearchSourcesInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        using var span = RunTrace.StartStep("search", context.InstanceId);
        span?.SetTag("research.search.provider", search.Name);
        var hits = await search.SearchAsync(input.Query, input.Top, CancellationToken.None).ConfigureAwait(false);
        span?.SetTag("research.search.hits", hits.Count);
        return new SearchSourcesOutput(hits);
    }
}
