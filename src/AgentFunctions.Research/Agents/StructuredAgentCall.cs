using System.Diagnostics;
using System.Text.Json;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Research.Agents;

/// <summary>
/// The call-parse-validate-repair loop every agent shares: ask for JSON under a schema at temperature 0, parse
/// and validate the reply, and on a broken reply send the validation error back as a user message, a bounded
/// number of times. Usage is summed over every call, failed ones included.
/// </summary>
internal static class StructuredAgentCall
{
    public static async Task<AgentResult<T>> RunAsync<T>(
        IChatClient chatClient,
        AgentPrompt prompt,
        Func<JsonElement, T> parse,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, prompt.SystemPrompt),
            new(ChatRole.User, prompt.UserPrompt),
        };
        var options = new ChatOptions
        {
            Temperature = 0,
            MaxOutputTokens = prompt.MaxOutputTokens,
            ResponseFormat = ChatResponseFormat.ForJsonSchema(prompt.Schema, prompt.SchemaName, $"Reply contract of the {prompt.Agent} agent."),
            AdditionalProperties = new() { [AgentNames.ChatOptionsKey] = prompt.Agent },
        };

        var usage = Usage.None;
        var lastError = "no reply";
        for (var attempt = 1; attempt <= prompt.MaxRepairs + 1; attempt++)
        {
            var response = await chatClient.GetResponseAsync(messages, options, cancellationToken);
            usage += new Usage(response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0, 1);
            var text = response.Text;
            try
            {
                if (response.FinishReason == ChatFinishReason.Length)
                {
                    throw new ReplyValidationException(
                        $"The reply was cut off at the output limit of {prompt.MaxOutputTokens} tokens. Reply again with a shorter JSON object.");
                }

                var value = parse(ParseJson(text));
                return new AgentResult<T>(value, usage, attempt);
            }
            catch (ReplyValidationException ex)
            {
                lastError = ex.Message;
                if (attempt > prompt.MaxRepairs)
                {
                    break;
                }

                ResearchTelemetry.RecordRepair(prompt.Agent);
                logger.LogWarning("Agent {Agent} reply {Attempt} was invalid, asking for a repair: {Error}", prompt.Agent, attempt, ex.Message);
                messages.Add(new ChatMessage(ChatRole.Assistant, text));
                messages.Add(new ChatMessage(
                    ChatRole.User,
                    $"Your previous reply was invalid: {ex.Message}\nReply again with only the corrected JSON object that satisfies the schema."));
            }
        }

        throw new AgentOutputException(prompt.Agent, lastError, prompt.MaxRepairs + 1, usage);
    }

    /// <summary>Runs one agent invocation inside a span and records its latency, tokens and outcome.</summary>
    public static async Task<AgentResult<T>> InstrumentAsync<T>(
        string agent, TimeProvider time, Func<Task<AgentResult<T>>> invocation)
    {
        using var activity = ResearchTelemetry.StartAgentActivity(agent);
        var started = time.GetTimestamp();
        try
        {
            var result = await invocation();
            ResearchTelemetry.RecordAgentCall(agent, time.GetElapsedTime(started), result.Usage, succeeded: true);
            activity?.SetTag("attempts", result.Attempts);
            activity?.SetTag("tokens.input", result.Usage.InputTokens);
            activity?.SetTag("tokens.output", result.Usage.OutputTokens);
            return result;
        }
        catch (Exception ex)
        {
            var usage = ex is AgentOutputException output ? output.Usage : Usage.None;
            ResearchTelemetry.RecordAgentCall(agent, time.GetElapsedTime(started), usage, succeeded: false);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.SetTag("error.type", ex.GetType().Name);
            throw;
        }
    }

    private static JsonElement ParseJson(string text)
    {
        var json = StripCodeFence(text);
        if (json.Length == 0)
        {
            throw new ReplyValidationException("The reply was empty; a JSON object was expected.");
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new ReplyValidationException($"The reply is not valid JSON ({ex.Message}).");
        }
    }

    /// <summary>Tolerates a reply wrapped in a Markdown code fence, a common habit even under a JSON schema.</summary>
    private static string StripCodeFence(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            return trimmed;
        }

        var firstLineEnd = trimmed.IndexOf('\n', StringComparison.Ordinal);
        var closing = trimmed.LastIndexOf("```", StringComparison.Ordinal);
        return firstLineEnd < 0 || closing <= firstLineEnd ? trimmed : trimmed[(firstLineEnd + 1)..closing].Trim();
    }
}
