namespace AgentFunctions.Storage.Internal;

/// <summary>Which storage service a request goes to; tables sign requests differently.</summary>
internal enum StorageService
{
    Blob,
    Queue,
    Table,
}
