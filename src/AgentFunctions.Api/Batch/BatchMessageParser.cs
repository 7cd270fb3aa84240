using System.Text;
using System.Text.Json;
using AgentFunctions.Host.Durable;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using AgentFunctions.Host.Research;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;
using AgentFunctions.Research.Publishing;

namespace AgentFunctions.Host.Batch;

/// <summary>What a batch message parsed into: a request, or every problem found (and the batch id when it was readable).</summary>
/// <param name="Request">The batch to start; null when the message is invalid.</param>
/// <param name="BatchId">The batch id when one could be read, even from an otherwise invalid message (for logs).</param>
/// <param name="Errors">Problems, each naming the field (<c>questions[2].maxSources: ...</c>); empty when valid.</param>
internal sealed record BatchMessageParseResult(BatchRequest? Request, string? BatchId, IReadOnlyList<string> Errors)
{
    public string Describe() => string.Join("; ", Errors);
}

/// <summary>
/// Reads a <c>research-batch</c> message: <c>{"batchId": "...", "questions": ["..." | {question, maxSources, ...}],
/// "requireApproval": false, "maxConcurrency": 4}</c>. Question objects are checked by the same rules as
/// <c>POST /api/research</c>, so a question that would be refused over HTTP is refused in a batch too.
/// </summary>
internal static class BatchMessageParser
{
    /// <summary>Instance id prefix of a batch orchestration.</summary>
    public const string InstancePrefix = "batch-";

    /// <summary>Most questions in one message; the sub-orchestration ids (<c>-qNN</c>) and the 64 KiB message limit agree.</summary>
    public const int MaxQuestions = 500;

    // The batch id is the middle of "batch-<id>-qNNN", which must fit an instance id.
    private static readonly int MaxBatchIdLength = InstanceIds.MaxLength - InstancePrefix.Length - "-q000".Length;

    public static string InstanceId(string batchId) => InstancePrefix + batchId;

    public static BatchMessageParseResult Parse(string body, CallbackUrlPolicy callbackPolicy)
    {
        ArgumentNullException.ThrowIfNull(callbackPolicy);
        var errors = new List<string>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return new(null, null, [$"The message is not valid JSON: {ex.Message}"]);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new(null, null, ["The message must be a JSON object such as {\"batchId\": \"b1\", \"questions\": [\"...\"]}."]);
            }

            var batchId = ReadBatchId(root, errors);
            var questions = ReadQuestions(root, callbackPolicy, errors);
            var requireApproval = ReadOptionalBool(root, "requireApproval", errors);
            var maxConcurrency = ReadMaxConcurrency(root, errors);
            return errors.Count > 0
                ? new(null, batchId, errors)
                : new(new BatchRequest(batchId!, questions, requireApproval, maxConcurrency), batchId, errors);
        }
    }

    private static JsonElement? Find(JsonElement root, string name)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind == JsonValueKind.Null ? null : property.Value;
            }
        }

        return null;
    }

    private static string? ReadBatchId(JsonElement root, List<string> errors)
    {
        if (Find(root, "batchId") is not { } value)
        {
            errors.Add("batchId is required.");
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add("batchId must be a string.");
            return null;
        }

        var batchId = value.GetString()!;
        if (batchId.Trim().Length == 0)
        {
            errors.Add("batchId must not be empty.");
            return null;
        }

        if (batchId.Length > MaxBatchIdLength)
        {
            errors.Add($"batchId is {batchId.Length} characters; at most {MaxBatchIdLength} are allowed.");
            return null;
        }

        try
        {
            InstanceIds.Validate(InstanceId(batchId));
        }
        catch (ArgumentException)
        {
            errors.Add($"batchId '{Printable(batchId)}' may not contain '/', '\\', '#', '?' or control characters (it becomes part of the instance id).");
            return null;
        }

        return batchId;
    }

    private static List<ResearchRequest> ReadQuestions(JsonElement root, CallbackUrlPolicy callbackPolicy, List<string> errors)
    {
        var questions = new List<ResearchRequest>();
        if (Find(root, "questions") is not { } value)
        {
            errors.Add("questions is required: a list of question strings or objects.");
            return questions;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add("questions must be a list of question strings or objects.");
            return questions;
        }

        var count = value.GetArrayLength();
        if (count == 0)
        {
            errors.Add("questions must not be empty.");
            return questions;
        }

        if (count > MaxQuestions)
        {
            errors.Add($"questions has {count} entries; at most {MaxQuestions} are allowed.");
            return questions;
        }

        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var field = $"questions[{index++}]";
            switch (item.ValueKind)
            {
                case JsonValueKind.String:
                    var question = item.GetString()!.Trim();
                    if (question.Length == 0)
                    {
                        errors.Add($"{field}: the question must not be empty.");
                    }
                    else if (question.Length > ResearchSubmissionParser.MaxQuestionLength)
                    {
                        errors.Add($"{field}: the question is {question.Length} characters; at most {ResearchSubmissionParser.MaxQuestionLength} are allowed.");
                    }
                    else
                    {
                        questions.Add(new ResearchRequest(question));
                    }

                    break;
                case JsonValueKind.Object:
                    var (request, itemErrors) = ResearchSubmissionParser.Parse(Encoding.UTF8.GetBytes(item.GetRawText()), callbackPolicy);
                    if (request is not null)
                    {
                        questions.Add(request);
                    }

                    foreach (var (name, messages) in itemErrors.OrderBy(e => e.Key, StringComparer.Ordinal))
                    {
                        errors.AddRange(messages.Select(m => $"{field}.{name}: {m}"));
                    }

                    break;
                default:
                    errors.Add($"{field} must be a question string or an object such as {{\"question\": \"...\"}}.");
                    break;
            }
        }

        return questions;
    }

    private static bool? ReadOptionalBool(JsonElement root, string name, List<string> errors)
    {
        if (Find(root, name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        errors.Add($"{name} must be true or false.");
        return null;
    }

    private static int ReadMaxConcurrency(JsonElement root, List<string> errors)
    {
        const int Default = 4;
        if (Find(root, "maxConcurrency") is not { } value)
        {
            return Default;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number)
            || number < 1 || number > BatchOrchestrator.MaxConcurrencyCap)
        {
            errors.Add($"maxConcurrency must be a whole number from 1 to {BatchOrchestrator.MaxConcurrencyCap}.");
            return Default;
        }

        return number;
    }

    private static string Printable(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
