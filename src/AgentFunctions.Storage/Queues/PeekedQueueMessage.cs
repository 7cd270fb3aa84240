namespace AgentFunctions.Storage.Queues;

/// <summary>A message seen by peeking: it stays visible and carries no pop receipt.</summary>
/// <param name="MessageId">The message id.</param>
/// <param name="DequeueCount">How many times the message has been received.</param>
/// <param name="InsertedOn">When the message was enqueued.</param>
/// <param name="ExpiresOn">When the message expires.</param>
/// <param name="MessageText">The text exactly as stored.</param>
/// <param name="Encoding">The encoding <see cref="Body"/> decodes.</param>
public sealed record PeekedQueueMessage(
    string MessageId,
    long DequeueCount,
    DateTimeOffset InsertedOn,
    DateTimeOffset ExpiresOn,
    string MessageText,
    QueueMessageEncoding Encoding)
{
    /// <summary>The decoded body text.</summary>
    /// <exception cref="FormatException">The text is not valid under <see cref="Encoding"/>.</exception>
    public string Body => QueueMessageCodec.Decode(MessageId, MessageText, Encoding);
}
