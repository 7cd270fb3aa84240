namespace AgentFunctions.Storage.Tables;

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
