namespace AgentFunctions.Storage.Tables;

/// <summary>How an update treats properties the sent entity does not have.</summary>
public enum TableUpdateMode
{
    /// <summary>Keep them: only the sent properties change (HTTP MERGE).</summary>
    Merge = 0,

    /// <summary>Drop them: the stored entity becomes exactly the sent one (HTTP PUT).</summary>
    Replace = 1,
}
