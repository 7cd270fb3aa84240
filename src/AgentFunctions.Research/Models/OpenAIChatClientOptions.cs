namespace AgentFunctions.Research.Models;

/// <summary>Settings of the <see cref="OpenAIChatClient"/>.</summary>
public sealed class OpenAIChatClientOptions
{
    /// <summary>The Azure OpenAI v1 endpoint, <c>https://&lt;resource&gt;.openai.azure.com/openai/v1/</c>.</summary>
    public required Uri Endpoint { get; set; }

    /// <summary>The deployment name (sent as the model).</summary>
    public required string Deployment { get; set; }

    /// <summary>The API key; when null, Entra ID is used through the token credential.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Retries of throttled (429) and transient (408/5xx, transport) failures per call. Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// The longest a single in-process wait may be. A server asking for longer is not waited on: the call fails
    /// with <see cref="ModelUnavailableException"/> carrying the server's delay, for a durable timer. Default 20 s.
    /// </summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Timeout of one HTTP attempt. Default 100 s.</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(100);
}
