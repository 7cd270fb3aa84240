using System.Text.Json;
using System.Xml;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Publishing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Host.Research;

/// <summary>
/// Turns a submission body into a <see cref="ResearchRequest"/>, collecting every problem by field name
/// (the keys of the 400 problem details' <c>errors</c>). A <c>callbackUrl</c> is judged by the
/// <see cref="CallbackUrlPolicy"/> as written, with no DNS lookup, so a refused target is answered at once; the
/// sender checks the addresses a name resolves to when it connects.
/// </summary>
internal static class ResearchSubmissionParser
{
    public const int MaxQuestionLength = 2000;
    public const int MinSources = 1;
    public const int MaxSources = 50;
    public const int MinTokenBudget = 1_000;
    public const int MaxTokenBudget = 1_000_000;
    public const int MaxCallbackUrlLength = 2048;
    public static readonly TimeSpan MinApprovalTimeout = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxApprovalTimeout = TimeSpan.FromDays(30);

    public static (ResearchRequest? Request, Dictionary<string, string[]> Errors) Parse(ReadOnlyMemory<byte> body, CallbackUrlPolicy callbackPolicy)
    {
        ArgumentNullException.ThrowIfNull(callbackPolicy);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            errors["body"] = [$"The body is not valid JSON: {ex.Message}"];
            return (null, errors);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors["body"] = ["The body must be a JSON object such as {\"question\": \"...\"}."];
                return (null, errors);
            }

            var defaults = new ResearchRequest(string.Empty);
            var question = ReadQuestion(root, errors);
            var maxSources = ReadInt(root, "maxSources", defaults.MaxSources, MinSources, MaxSources, errors);
            var requireApproval = ReadBool(root, "requireApproval", defaults.RequireApproval, errors);
            var approvalTimeout = ReadTimeout(root, errors);
            var tokenBudget = ReadInt(root, "tokenBudget", defaults.TokenBudget, MinTokenBudget, MaxTokenBudget, errors);
            var callbackUrl = ReadCallbackUrl(root, callbackPolicy, errors);
            return errors.Count > 0
                ? (null, errors)
                : (new ResearchRequest(question!, maxSources, requireApproval, approvalTimeout, tokenBudget, callbackUrl), errors);
        }
    }

    /// <summary>
    /// Holds a management-API start of <c>ResearchOrchestrator</c> (<c>POST /runtime/webhooks/durabletask/orchestrators/{name}</c>)
    /// to the rules of <c>POST /api/research</c>, so a bad input is answered 400 naming its field instead of starting a run
    /// that fails. A valid input is replaced by the request as parsed (defaults filled, the ISO-8601 approvalTimeout as a
    /// duration the orchestrator reads). Other orchestrators' inputs pass through untouched.
    /// </summary>
    /// <param name="name">The orchestrator name from the route.</param>
    /// <param name="input">The start input; replaced by the parsed request when valid.</param>
    /// <param name="http">The request, for the callback policy.</param>
    /// <returns>The 400 problem details, or null when the start may go ahead.</returns>
    public static ValidationProblem? CheckOrchestratorInput(string name, ref JsonElement? input, HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!string.Equals(name, ResearchPipelineRegistration.ResearchOrchestratorName, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var body = input is { } element ? JsonSerializer.SerializeToUtf8Bytes(element) : "{}"u8.ToArray();
        var (request, errors) = Parse(body, http.RequestServices.GetRequiredService<CallbackUrlPolicy>());
        if (request is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The research request is invalid");
        }

        input = JsonSerializer.SerializeToElement(request, JsonSerializerOptions.Web);
        return null;
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

    private static string? ReadQuestion(JsonElement root, Dictionary<string, string[]> errors)
    {
        var value = Find(root, "question");
        if (value is null)
        {
            errors["question"] = ["The question is required."];
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.String)
        {
            errors["question"] = ["The question must be a string."];
            return null;
        }

        var question = value.Value.GetString()!.Trim();
        if (question.Length == 0)
        {
            errors["question"] = ["The question must not be empty."];
        }
        else if (question.Length > MaxQuestionLength)
        {
            errors["question"] = [$"The question is {question.Length} characters; at most {MaxQuestionLength} are allowed."];
        }

        return question;
    }

    private static int ReadInt(JsonElement root, string name, int defaultValue, int min, int max, Dictionary<string, string[]> errors)
    {
        if (Find(root, name) is not { } value)
        {
            return defaultValue;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
        {
            errors[name] = [$"{name} must be a whole number from {min} to {max}."];
            return defaultValue;
        }

        if (number < min || number > max)
        {
            errors[name] = [$"{name} is {number}; it must be from {min} to {max}."];
        }

        return number;
    }

    private static bool ReadBool(JsonElement root, string name, bool defaultValue, Dictionary<string, string[]> errors)
    {
        if (Find(root, name) is not { } value)
        {
            return defaultValue;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        errors[name] = [$"{name} must be true or false."];
        return defaultValue;
    }

    private static TimeSpan? ReadTimeout(JsonElement root, Dictionary<string, string[]> errors)
    {
        if (Find(root, "approvalTimeout") is not { } value)
        {
            return null;
        }

        const string Format = "approvalTimeout must be an ISO-8601 duration such as \"PT24H\" or \"P2D\"";
        if (value.ValueKind != JsonValueKind.String)
        {
            errors["approvalTimeout"] = [$"{Format}."];
            return null;
        }

        TimeSpan timeout;
        try
        {
            timeout = XmlConvert.ToTimeSpan(value.GetString()!);
        }
        catch (FormatException)
        {
            errors["approvalTimeout"] = [$"{Format}; '{value.GetString()}' is not one."];
            return null;
        }
        catch (OverflowException)
        {
            errors["approvalTimeout"] = [$"'{value.GetString()}' is too long; at most {XmlConvert.ToString(MaxApprovalTimeout)} is allowed."];
            return null;
        }

        if (timeout < MinApprovalTimeout || timeout > MaxApprovalTimeout)
        {
            errors["approvalTimeout"] = [$"approvalTimeout is {XmlConvert.ToString(timeout)}; it must be from {XmlConvert.ToString(MinApprovalTimeout)} to {XmlConvert.ToString(MaxApprovalTimeout)}."];
        }

        return timeout;
    }

    private static string? ReadCallbackUrl(JsonElement root, CallbackUrlPolicy policy, Dictionary<string, string[]> errors)
    {
        if (Find(root, "callbackUrl") is not { } value)
        {
            return null;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : null;
        if (text is null || text.Length > MaxCallbackUrlLength
            || !Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors["callbackUrl"] = [$"callbackUrl must be an absolute http or https URL of at most {MaxCallbackUrlLength} characters, or null."];
            return null;
        }

        if (!policy.IsAllowed(uri, out var reason))
        {
            errors["callbackUrl"] = [$"callbackUrl: {reason}."];
            return null;
        }

        return uri.AbsoluteUri;
    }
}
