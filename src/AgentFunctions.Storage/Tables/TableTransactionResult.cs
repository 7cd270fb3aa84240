namespace AgentFunctions.Storage.Tables;

/// <summary>The outcome of one action of a committed transaction.</summary>
/// <param name="Status">The HTTP status of the action (204 for success).</param>
/// <param name="ETag">The entity's new ETag (null for a delete).</param>
public sealed record TableTransactionResult(int Status, string? ETag);
