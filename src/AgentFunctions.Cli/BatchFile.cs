using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentFunctions.Cli;

/// <summary>
/// Reads a file of questions into a <c>research-batch</c> message: <c>{"batchId", "questions", "requireApproval"}</c>.
/// A <c>.json</c> file holds a list of questions (strings or <c>{"question": ...}</c> objects) or a whole message
/// object; a <c>.jsonl</c> file holds one question per line, as a JSON string or object. The host checks every
/// field again; this catches the mistakes that would otherwise only show in its poison queue.
/// </summary>
internal static class BatchFile
{
    public const int MaxQuestions = 500;

    /// <summary>The message to send.</summary>
    /// <exception cref="CliException">The file is missing or not a batch (exit code 2), with the line or entry at fault.</exception>
    public static JsonObject Read(string path, string? batchId, bool requireApproval, DateTimeOffset now)
    {
        if (!File.Exists(path))
        {
            throw new CliException(ExitCodes.Usage, $"{path}: no such file.");
        }

        var text = File.ReadAllText(path);
        JsonObject message;
        if (path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase))
        {
            var questions = new JsonArray();
            var number = 0;
            foreach (var line in text.Split('\n'))
            {
                number++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                questions.Add(Parse(path, line, $"line {number}"));
            }

            message = new JsonObject { ["questions"] = questions };
        }
        else
        {
            var root = Parse(path, text, "the file");
            message = root switch
            {
                JsonArray list => new JsonObject { ["questions"] = list },
                JsonObject whole => whole,
                _ => throw new CliException(ExitCodes.Usage, $"{path}: expected a list of questions or a batch object {{\"questions\": [...]}}."),
            };
        }

        if (batchId is not null)
        {
            message["batchId"] = batchId;
        }
        else if (Json.Text(message, "batchId") is null)
        {
            message["batchId"] = string.Create(CultureInfo.InvariantCulture, $"{now:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}");
        }

        // The batch says so explicitly: without it every question would take the submission default, and wait for a reviewer.
        if (requireApproval || Json.Get(message, "requireApproval") is null)
        {
            message["requireApproval"] = requireApproval;
        }

        Check(path, message);
        return message;
    }

    private static JsonNode Parse(string path, string text, string where)
    {
        try
        {
            return JsonNode.Parse(text) ?? throw new CliException(ExitCodes.Usage, $"{path}, {where}: null is not a question.");
        }
        catch (JsonException ex)
        {
            throw new CliException(ExitCodes.Usage, $"{path}, {where}: not JSON ({ex.Message}). Write a question as a JSON string, \"like this?\", or an object {{\"question\": \"...\"}}.");
        }
    }

    private static void Check(string path, JsonObject message)
    {
        if (Json.Get(message, "questions") is not JsonArray questions || questions.Count == 0)
        {
            throw new CliException(ExitCodes.Usage, $"{path}: no questions.");
        }

        if (questions.Count > MaxQuestions)
        {
            throw new CliException(ExitCodes.Usage, $"{path}: {questions.Count} questions; a batch holds at most {MaxQuestions}. Split the file.");
        }

        for (var i = 0; i < questions.Count; i++)
        {
            var question = questions[i] is JsonObject item ? Json.Get(item, "question") : questions[i];
            if (question is not JsonValue value || value.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetValue<string>()))
            {
                throw new CliException(ExitCodes.Usage, $"{path}: questions[{i}] must be a non-empty question string or an object with one.");
            }
        }
    }
}
