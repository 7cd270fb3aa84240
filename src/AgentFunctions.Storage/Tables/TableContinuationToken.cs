namespace AgentFunctions.Storage.Tables;

/// <summary>Where the next page of a query starts.</summary>
/// <param name="NextPartitionKey">From x-ms-continuation-NextPartitionKey.</param>
/// <param name="NextRowKey">From x-ms-continuation-NextRowKey (may be null).</param>
public sealed record TableContinuationToken(string NextPartitionKey, string? NextRowKey);
