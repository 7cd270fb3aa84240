namespace AgentFunctions.Storage.Tables;

/// <summary>One change in an entity-group transaction.</summary>
/// <param name="ActionType">What to do.</param>
/// <param name="Entity">The entity; for updates and deletes its <see cref="TableEntity.ETag"/> is the condition (null means any).</param>
public sealed record TableTransactionAction(TableTransactionActionType ActionType, TableEntity Entity);
