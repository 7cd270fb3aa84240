namespace AgentFunctions.Storage.Queues;

/// <summary>A message received from a queue, invisible to others until <see cref="NextVisibleOn"/>.</summary>
/// <param name="MessageId">The message id.</param>
/// <param name="PopReceipt">The receipt needed to update or delete this delivery of the message.</param>
/// <param name="DequeueCount">How many times the message has been received, this time included.</param>
/// <param name="InsertedOn">When the message was enqueued.</param>
/// <param name="ExpiresOn">When the message expires.</param>
/// <param name="NextVisibleOn">When the message becomes visible again unless deleted or updated.</param>
/// <param name="MessageText">The text exactly as stored (base64 under <see cref="QueueMessageEncoding.Base64"/>).</param>
/// <param name="Encoding">The encoding <see cref="Body"/> decodes.</param>
public sealed record QueueMessage(
    string MessageId,
    string PopReceipt,
    long DequeueCount,
    DateTimeOffset InsertedOn,
    DateTimeOffset ExpiresOn,
    DateTimeOffset NextVisibleOn,
    string MessageText,
    QueueMessageEncoding Encoding)
{
    /// <summary>The decoded body text.</summary>
    /// <exception cref="FormatException">
    /// The message is not valid base64 UTF-8 under <see cref="QueueMessageEncoding.Base64"/> (someone sent it
    /// unencoded); <see cref="MessageText"/> still holds it, for moving it to a poison queue intact.
    /// </exception>
    public string Body => QueueMessageCodec.Decode(MessageId, MessageText, Encoding);
}
