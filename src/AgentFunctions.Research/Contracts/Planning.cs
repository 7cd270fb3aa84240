namespace AgentFunctions.Research.Contracts;

/// <summary>One focused search the planner wants run.</summary>
/// <param name="Text">The search query text.</param>
/// <param name="Rationale">Why this sub-query helps answer the question.</param>
public sealed record SubQuery(string Text, string Rationale);

/// <summary>The planner's decomposition of a question.</summary>
/// <param name="SubQueries">The searches to fan out, at most the configured cap.</param>
public sealed record ResearchPlan(IReadOnlyList<SubQuery> SubQueries);
