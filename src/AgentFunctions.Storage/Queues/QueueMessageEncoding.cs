namespace AgentFunctions.Storage.Queues;

/// <summary>How a queue message body travels on the wire.</summary>
public enum QueueMessageEncoding
{
    /// <summary>
    /// UTF-8 bytes, base64-encoded: what the Azure Functions queue trigger expects by default
    /// (<c>host.json</c> <c>extensions.queues.messageEncoding = base64</c>) and safe for any text.
    /// </summary>
    Base64 = 0,

    /// <summary>The text as is (XML-escaped in the request); it must contain only characters valid in XML.</summary>
    None = 1,
}
