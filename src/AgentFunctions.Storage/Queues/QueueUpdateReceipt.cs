namespace AgentFunctions.Storage.Queues;

/// <summary>What updating a message returns: the receipt for the next operation on it.</summary>
/// <param name="PopReceipt">The new pop receipt; the old one no longer works.</param>
/// <param name="NextVisibleOn">When the message becomes visible again.</param>
public sealed record QueueUpdateReceipt(string PopReceipt, DateTimeOffset NextVisibleOn);
