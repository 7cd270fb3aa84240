using AgentFunctions.Research.Contracts;

namespace AgentFunctions.Research.Orchestration;

/// <summary>Input of the <see cref="BatchOrchestrator"/>.</summary>
/// <param name="BatchId">The batch id; sub-orchestrations are <c>batch-&lt;batchId&gt;-qNN</c>.</param>
/// <param name="Questions">The questions, each a full request.</param>
/// <param name="RequireApproval">When set, overrides every question's <c>requireApproval</c>.</param>
/// <param name="MaxConcurrency">Most research runs in flight at once (at least 1).</param>
public sealed record BatchRequest(string BatchId, IReadOnlyList<ResearchRequest> Questions, bool? RequireApproval = null, int MaxConcurrency = 4);

/// <summary>Output of the <see cref="BatchOrchestrator"/>.</summary>
/// <param name="BatchId">The batch id.</param>
/// <param name="Total">Questions in the batch.</param>
/// <param name="Succeeded">Questions whose research run completed (whatever its outcome).</param>
/// <param name="Failed">Questions whose research run failed.</param>
/// <param name="Outcomes">Completed runs per outcome.</param>
/// <param name="Items">One entry per question, in input order.</param>
public sealed record BatchResult(
    string BatchId, int Total, int Succeeded, int Failed, IReadOnlyDictionary<ResearchOutcome, int> Outcomes, IReadOnlyList<BatchItemResult> Items);

/// <summary>What became of one question of a batch. The full result is the sub-orchestration's output.</summary>
/// <param name="Index">Position in the batch, from 1.</param>
/// <param name="InstanceId">The research run's instance id.</param>
/// <param name="Question">The question.</param>
/// <param name="Outcome">The run's outcome; null when it failed.</param>
/// <param name="ReportTitle">The report's title, when one was written.</param>
/// <param name="Error">Why the run failed; null when it completed.</param>
public sealed record BatchItemResult(int Index, string InstanceId, string Question, ResearchOutcome? Outcome, string? ReportTitle, string? Error);

/// <summary>Custom status of a batch run.</summary>
/// <param name="Done">Questions finished (completed or failed).</param>
/// <param name="Total">Questions in the batch.</param>
/// <param name="Failed">Questions whose run failed.</param>
/// <param name="Running">Runs in flight.</param>
public sealed record BatchStatus(int Done, int Total, int Failed, int Running);
