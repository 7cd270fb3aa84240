namespace AgentFunctions.Storage.Queues;

/// <summary>Queue properties.</summary>
/// <param name="ApproximateMessagesCount">The approximate number of messages, visible or not.</param>
public sealed record QueueProperties(long ApproximateMessagesCount);
