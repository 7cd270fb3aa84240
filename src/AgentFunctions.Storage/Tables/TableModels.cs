namespace AgentFunctions.Storage.Tables;

/// <summary>How an update treats properties the sent entity does not have.</summary>
public enum TableUpdateMode
{
    /// <summary>Keep them: only the sent properties change (HTTP MERGE).</summary>
    Merge = 0,

    /// <summary>Drop them: the stored entity becomes exactly the sent one (HTTP PUT).</summary>
    Replace = 1,
}

/// <summary>Where the next page of a query starts.</summary>
/// <param name="NextPartitionKey">From x-ms-continuation-NextPartitionKey.</param>
/// <param name="NextRowKey">From x-ms-continuation-NextRowKey (may be null).</param>
public sealed record TableContinuationToken(string NextPartitionKey, string? NextRowKey);

/// <summary>One page of query results.</summary>
/// <param name="Entities">The entities on this page (may be empty even when more pages follow).</param>
/// <param name="ContinuationToken">Pass to the next call for the next page; null on the last page.</param>
public sealed record TablePage(IReadOnlyList<TableEntity> Entities, TableContinuationToken? ContinuationToken);

/// <summary>The kind of change a transaction action makes.</summary>
public enum TableTransactionActionType
{
    /// <summary>Insert; fails with 409 EntityAlreadyExists when it exists.</summary>
    Add,

    /// <summary>Insert or merge.</summary>
    UpsertMerge,

    /// <summary>Insert or replace.</summary>
    UpsertReplace,

    /// <summary>Merge into an existing entity (If-Match its ETag, or * when null).</summary>
    UpdateMerge,

    /// <summary>Replace an existing entity (If-Match its ETag, or * when null).</summary>
    UpdateReplace,

    /// <summary>Delete an existing entity (If-Match its ETag, or * when null).</summary>
    Delete,
}

/// <summary>One change in an entity-group transaction.</summary>
/// <param name="ActionType">What to do.</param>
/// <param name="Entity">The entity; for updates and deletes its <see cref="TableEntity.ETag"/> is the condition (null means any).</param>
public sealed record TableTransactionAction(TableTransactionActionType ActionType, TableEntity Entity);

/// <summary>The outcome of one action of a committed transaction.</summary>
/// <param name="Status">The HTTP status of the action (204 for success).</param>
/// <param name="ETag">The entity's new ETag (null for a delete).</param>
public sealed record TableTransactionResult(int Status, string? ETag);
