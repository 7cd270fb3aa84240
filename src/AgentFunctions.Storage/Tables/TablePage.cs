namespace AgentFunctions.Storage.Tables;

/// <summary>One page of query results.</summary>
/// <param name="Entities">The entities on this page (may be empty even when more pages follow).</param>
/// <param name="ContinuationToken">Pass to the next call for the next page; null on the last page.</param>
public sealed record TablePage(IReadOnlyList<TableEntity> Entities, TableContinuationToken? ContinuationToken);
