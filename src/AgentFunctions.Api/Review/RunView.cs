using System.Text.Json;
using System.Text.Json.Nodes;
using AgentFunctions.Host.Durable;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using AgentFunctions.Host.Approvals;
using AgentFunctions.Research.Contracts;

namespace AgentFunctions.Host.Review;

/// <summary>One citation as the page shows it.</summary>
internal sealed record CitationView(int N, string? Title, string? Url, string? Quote);

/// <summary>One source as the page shows it.</summary>
internal sealed record SourceView(string? Id, string? Title, string? Url, bool? Accepted, string? Reason);

/// <summary>
/// What the review page shows of a run, read from the orchestration: the draft from the custom status while
/// AwaitingApproval (<c>{"phase","draft":{title,summary,citations},"sources","usage"}</c>), the report from the
/// output once completed. Fields are read leniently: a missing or odd field shows as absent, never as an error.
/// </summary>
internal sealed record RunView(
    string InstanceId,
    OrchestrationRuntimeStatus Status,
    string? Phase,
    string? Question,
    string? Outcome,
    string? Title,
    string? Summary,
    IReadOnlyList<CitationView> Citations,
    IReadOnlyList<SourceView> Sources,
    string? ReviewDecision,
    DateTimeOffset CreatedAt)
{
    public bool AwaitingApproval => !Status.IsTerminal() && Phase == nameof(ResearchPhase.AwaitingApproval);

    public static RunView From(OrchestrationMetadata instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var status = Parse(instance.SerializedCustomStatus);
        var output = Parse(instance.SerializedOutput);
        var input = Parse(instance.SerializedInput);
        var phase = ReviewDecisionGate.ReadPhase(instance.SerializedCustomStatus);
        var report = instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? output?["report"] as JsonObject : status?["draft"] as JsonObject;
        var sources = (instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? output?["sources"] : status?["sources"]) as JsonArray;
        return new RunView(
            instance.InstanceId,
            instance.RuntimeStatus,
            phase,
            Text(input?["question"]) ?? Text(output?["question"]),
            Text(output?["outcome"]),
            Text(report?["title"]),
            Text(report?["summary"]),
            [.. Items(report?["citations"] as JsonArray).Select(c => new CitationView(Int(c["n"]) ?? 0, Text(c["title"]), Text(c["url"]), Text(c["quote"])))],
            [.. Items(sources).Select(s => new SourceView(Text(s["id"]), Text(s["title"]), Text(s["url"]), Bool(s["accepted"]), Text(s["reason"])))],
            Text((output?["review"] as JsonObject)?["decision"]),
            instance.CreatedAt);
    }

    private static JsonObject? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IEnumerable<JsonObject> Items(JsonArray? array) => array?.OfType<JsonObject>() ?? [];

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static int? Int(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<int>(out var number) ? number : null;

    private static bool? Bool(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : null;
}
