using System.Text.Json;

namespace AgentFunctions.Research.Agents;

/// <summary>One structured request: the contract the reply must satisfy and the messages that ask for it.</summary>
/// <param name="Agent">The agent name (see <see cref="AgentNames"/>).</param>
/// <param name="SystemPrompt">Role, rules and the JSON output contract.</param>
/// <param name="UserPrompt">The task, with untrusted text delimited.</param>
/// <param name="SchemaName">The JSON schema's name.</param>
/// <param name="Schema">The JSON schema of the reply.</param>
/// <param name="MaxOutputTokens">Output token cap per call.</param>
/// <param name="MaxRepairs">Repair round-trips allowed after the first call.</param>
internal sealed record AgentPrompt(
    string Agent,
    string SystemPrompt,
    string UserPrompt,
    string SchemaName,
    JsonElement Schema,
    int MaxOutputTokens,
    int MaxRepairs)
{
    public static JsonElement ParseSchema(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
