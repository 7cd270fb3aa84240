namespace AgentFunctions.Storage.Queues;

/// <summary>What sending a message returns.</summary>
/// <param name="MessageId">The new message's id.</param>
/// <param name="PopReceipt">A receipt that allows updating or deleting the message before anyone receives it.</param>
/// <param name="InsertedOn">When it was enqueued.</param>
/// <param name="ExpiresOn">When it expires (far in the future for a message that never expires).</param>
/// <param name="NextVisibleOn">When it becomes visible (later than now with a visibility delay).</param>
public sealed record QueueSendReceipt(string MessageId, string PopReceipt, DateTimeOffset InsertedOn, DateTimeOffset ExpiresOn, DateTimeOffset NextVisibleOn);
