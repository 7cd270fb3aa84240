using System.Text;

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

/// <summary>What sending a message returns.</summary>
/// <param name="MessageId">The new message's id.</param>
/// <param name="PopReceipt">A receipt that allows updating or deleting the message before anyone receives it.</param>
/// <param name="InsertedOn">When it was enqueued.</param>
/// <param name="ExpiresOn">When it expires (far in the future for a message that never expires).</param>
/// <param name="NextVisibleOn">When it becomes visible (later than now with a visibility delay).</param>
public sealed record QueueSendReceipt(string MessageId, string PopReceipt, DateTimeOffset InsertedOn, DateTimeOffset ExpiresOn, DateTimeOffset NextVisibleOn);

/// <summary>What updating a message returns: the receipt for the next operation on it.</summary>
/// <param name="PopReceipt">The new pop receipt; the old one no longer works.</param>
/// <param name="NextVisibleOn">When the message becomes visible again.</param>
public sealed record QueueUpdateReceipt(string PopReceipt, DateTimeOffset NextVisibleOn);

/// <summary>Queue properties.</summary>
/// <param name="ApproximateMessagesCount">The approximate number of messages, visible or not.</param>
public sealed record QueueProperties(long ApproximateMessagesCount);

/// <summary>Encodes and decodes message bodies and enforces the 64 KiB message limit.</summary>
internal static class QueueMessageCodec
{
    /// <summary>Azure's limit on a message as stored (after encoding): 64 KiB.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    private static readonly UTF8Encoding _strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Encode(string body, QueueMessageEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(body);
        string text;
        if (encoding == QueueMessageEncoding.Base64)
        {
            text = Convert.ToBase64String(_strictUtf8.GetBytes(body));
        }
        else
        {
            if (!AllXmlChars(body))
            {
                throw new ArgumentException(
                    "The message contains characters that are not valid in XML, which QueueMessageEncoding.None "
                    + "cannot carry; use QueueMessageEncoding.Base64.", nameof(body));
            }

            text = body;
        }

        var size = Encoding.UTF8.GetByteCount(text);
        if (size > MaxMessageBytes)
        {
            throw new ArgumentException(
                $"The queue message is {size:N0} bytes after {(encoding == QueueMessageEncoding.Base64 ? "base64 " : string.Empty)}encoding; "
                + $"the limit is {MaxMessageBytes:N0} bytes (64 KiB). Store a large payload in a blob and send a reference.",
                nameof(body));
        }

        return text;
    }

    public static string Decode(string messageId, string text, QueueMessageEncoding encoding)
    {
        if (encoding == QueueMessageEncoding.None)
        {
            return text;
        }

        try
        {
            return _strictUtf8.GetString(Convert.FromBase64String(text));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new FormatException(
                $"Queue message '{messageId}' is not base64-encoded UTF-8 text; it was probably sent without "
                + "encoding. Read MessageText for the raw text, or use QueueMessageEncoding.None.", ex);
        }
    }

    private static bool AllXmlChars(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (!System.Xml.XmlConvert.IsXmlChar(c))
            {
                return false;
            }
        }

        return true;
    }
}
