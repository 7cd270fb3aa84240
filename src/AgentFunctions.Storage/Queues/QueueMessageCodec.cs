using System.Text;

namespace AgentFunctions.Storage.Queues;

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
