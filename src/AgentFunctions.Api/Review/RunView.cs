using System.Text.Json;
using System.Text.Json.Nodes;
using AgentFunctions.Research.Contracts;

namespace AgentFunctions.Host.Review;

/// <summary>A run's runtime status as the pages show it; the names are the durable runtime's.</summary>
internal enum RunStatus
{
    /// <summary>A status the pages do not know.</summary>
    Unknown,

    /// <summary>Scheduled, not started.</summary>
    Pending,

    /// <summary>Working, or waiting for a reviewer.</summary>
    Running,

    /// <summary>Finished with an output.</summary>
    Completed,

    /// <summary>Restarted with new input.</summary>
    ContinuedAsNew,

    /// <summary>Ended by an unhandled error.</summary>
    Failed,

    /// <summary>Cancelled (legacy state).</summary>
    Canceled,

    /// <summary>Stopped by an operator.</summary>
    Terminated,

    /// <summary>Paused by an operator.</summary>
    Suspended,
}

/// <summary>One citation as the page shows it.</summary>
internal sealed record CitationView(int N, string? Title, string? Url, string? Quote);

/// <summary>One source as the page shows it.</summary>
internal sealed record SourceView(string? Id, string? Title, string? Url, bool? Accepted, string? Reason);

/// <summary>A claim the sources disagree on, with the ids of the sources involved.</summary>
internal sealed record ConflictView(string? Claim, IReadOnlyList<string> Sources);

/// <summary>A reviewer's decision as the page shows it.</summary>
internal sealed record DecisionView(string? Decision, string? Reviewer, string? Comment, DateTimeOffset? DecidedAt);

/// <summary>Model usage of a run.</summary>
internal sealed record UsageView(long InputTokens, long OutputTokens, int LlmCalls)
{
    public long TotalTokens => InputTokens + OutputTokens;
}

/// <summary>
/// A run as the durable runtime stores it, free of the client library's types: the one shape
/// <see cref="RunsQuery"/> hands to <see cref="RunView.From"/>.
/// </summary>
internal sealed record RunRecord(
    string InstanceId,
    string RuntimeStatus,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    string? SerializedInput,
    string? SerializedOutput,
    string? SerializedCustomStatus,
    string? FailureMessage);

/// <summary>
/// What the pages show of a run, read from the orchestration: the draft from the custom status while
/// AwaitingApproval (<c>{"phase","draft":{title,summary,citations},"sources","usage",...}</c>), the report from the
/// output once completed, the failure message of a failed run. Fields are read leniently: a missing or odd field
/// shows as absent, never as an error.
/// </summary>
internal sealed record RunView(
    string InstanceId,
    RunStatus Status,
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
    /// <summary>When the run last changed (its status, phase or output).</summary>
    public DateTimeOffset LastUpdatedAt { get; init; } = CreatedAt;

    /// <summary>When the run stops waiting for the reviewer, while it waits.</summary>
    public DateTimeOffset? DecideBy { get; init; }

    /// <summary>Reviewer-requested revisions made so far.</summary>
    public int Revisions { get; init; }

    /// <summary>Revisions a reviewer may still ask for, when known.</summary>
    public int? RevisionsLeft { get; init; }

    /// <summary>The decisions that asked for a revision, oldest first.</summary>
    public IReadOnlyList<DecisionView> RevisionRequests { get; init; } = [];

    /// <summary>The decision that ended the review (from the output), with who made it.</summary>
    public DecisionView? Decision { get; init; }

    /// <summary>Why a failed run failed.</summary>
    public string? FailureReason { get; init; }

    /// <summary>The run's remark: why the budget stopped it, a declined revision, a failed callback.</summary>
    public string? Note { get; init; }

    /// <summary>False when the report says the sources do not answer the question.</summary>
    public bool Answered { get; init; } = true;

    /// <summary>Claims the sources disagree on.</summary>
    public IReadOnlyList<ConflictView> Conflicts { get; init; } = [];

    /// <summary>Distinct sources the searches returned.</summary>
    public int SourcesFound { get; init; }

    /// <summary>Sources accepted for citation.</summary>
    public int SourcesAccepted { get; init; }

    /// <summary>Model usage so far (or in total, once finished).</summary>
    public UsageView Usage { get; init; } = new(0, 0, 0);

    /// <summary>True once the run can change no more.</summary>
    public bool IsTerminal => Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Terminated or RunStatus.Canceled;

    /// <summary>True while the run waits for a reviewer's decision.</summary>
    public bool AwaitingApproval => !IsTerminal && Phase == nameof(ResearchPhase.AwaitingApproval);

    /// <summary>True while the run works by itself (what a live page refreshes for).</summary>
    public bool Working => !IsTerminal && Status != RunStatus.Suspended && !AwaitingApproval;

    public static RunView From(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var status = Parse(record.SerializedCustomStatus);
        var output = Parse(record.SerializedOutput);
        var input = Parse(record.SerializedInput);
        var runtimeStatus = Enum.TryParse<RunStatus>(record.RuntimeStatus, ignoreCase: true, out var parsed) ? parsed : RunStatus.Unknown;
        var completed = runtimeStatus == RunStatus.Completed;
        var report = (completed ? output?["report"] : null) as JsonObject ?? status?["draft"] as JsonObject;
        var sources = ((completed ? output?["sources"] : null) ?? status?["sources"]) as JsonArray;
        var review = output?["review"] as JsonObject;
        var usage = (output?["usage"] ?? status?["usage"]) as JsonObject;
        var counts = status?["sourceCounts"] as JsonObject;
        return new RunView(
            record.InstanceId,
            runtimeStatus,
            Text(status?["phase"]),
            Text(input?["question"]) ?? Text(output?["question"]),
            Text(output?["outcome"]) ?? Text(status?["outcome"]),
            Text(report?["title"]),
            Text(report?["summary"]),
            [.. Items(report?["citations"] as JsonArray).Select(c => new CitationView(Int(c["n"]) ?? 0, Text(c["title"]), Text(c["url"]), Text(c["quote"])))],
            [.. Items(sources).Select(s => new SourceView(Text(s["id"]), Text(s["title"]), Text(s["url"]), Bool(s["accepted"]), Text(s["reason"])))],
            Text(review?["decision"]),
            record.CreatedAt)
        {
            LastUpdatedAt = record.LastUpdatedAt,
            DecideBy = Time(status?["decideBy"]),
            Revisions = Int(output?["revisions"]) ?? Int(status?["revisions"]) ?? 0,
            RevisionsLeft = Int(status?["revisionsLeft"]),
            RevisionRequests = [.. Items(status?["revisionRequests"] as JsonArray).Select(ReadDecision)],
            Decision = review is null ? null : ReadDecision(review),
            FailureReason = runtimeStatus == RunStatus.Failed ? record.FailureMessage ?? "The run failed without a message." : null,
            Note = Text(status?["note"]) ?? (runtimeStatus == RunStatus.Terminated ? TerminationNote(record.SerializedOutput) : null),
            Answered = Bool(report?["answered"]) ?? true,
            Conflicts = [.. Items(report?["conflicts"] as JsonArray).Select(c => new ConflictView(
                Text(c["claim"]), [.. ((c["sources"] as JsonArray) ?? []).Select(Text).OfType<string>()]))],
            SourcesFound = Int(counts?["found"]) ?? 0,
            SourcesAccepted = Int(counts?["accepted"]) ?? 0,
            Usage = new UsageView(Long(usage?["inputTokens"]) ?? 0, Long(usage?["outputTokens"]) ?? 0, Int(usage?["llmCalls"]) ?? 0),
        };
    }

    /// <summary>A terminated run's output is the operator's reason (a JSON string), when one was given.</summary>
    private static string TerminationNote(string? output)
    {
        string? reason = null;
        try
        {
            reason = string.IsNullOrEmpty(output) ? null : Text(JsonNode.Parse(output));
        }
        catch (JsonException)
        {
            reason = output;
        }

        return string.IsNullOrWhiteSpace(reason) ? "Terminated by an operator; no reason was given." : $"Terminated by an operator: {reason}";
    }

    private static DecisionView ReadDecision(JsonObject node) =>
        new(Text(node["decision"]), Text(node["reviewer"]), Text(node["comment"]), Time(node["decidedAt"]));

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

    private static long? Long(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;

    private static bool? Bool(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : null;

    /// <summary>A timestamp; one without an offset (the orchestrator's DateTime) is UTC.</summary>
    private static DateTimeOffset? Time(JsonNode? node) =>
        Text(node) is { } text && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? at.ToUniversalTime()
            : null;
}
