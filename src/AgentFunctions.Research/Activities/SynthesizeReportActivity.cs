using Microsoft.DurableTask;
using AgentFunctions.Research.Agents;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Telemetry;

namespace AgentFunctions.Research.Activities;

/// <summary>Input of <see cref="SynthesizeReportActivity"/>.</summary>
/// <param name="Question">The research question.</param>
/// <param name="Sources">The accepted sources, numbered for citation in this order.</param>
/// <param name="Feedback">The reviewer's revision comment, if this is a revision.</param>
/// <param name="Findings">The previous draft's citation problems, if this is a repair round.</param>
public sealed record SynthesizeReportInput(
    string Question, IReadOnlyList<SearchHit> Sources, string? Feedback, IReadOnlyList<CitationFinding>? Findings);

/// <summary>Output of <see cref="SynthesizeReportActivity"/>.</summary>
/// <param name="Report">The draft.</param>
/// <param name="Usage">Model usage of the step.</param>
public sealed record SynthesizeReportOutput(ResearchReport Report, Usage Usage);

/// <summary>Writes the cited draft with the <see cref="SynthesizerAgent"/>.</summary>
/// <param name="synthesizer">The synthesizer agent.</param>
public sealed class SynthesizeReportActivity(SynthesizerAgent synthesizer) : TaskActivity<SynthesizeReportInput, SynthesizeReportOutput>
{
    /// <inheritdoc />
    public override async Task<SynthesizeReportOutput> RunAsync(TaskActivityContext context, SynthesizeReportInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        using var span = RunTrace.StartStep("synthesize", context.InstanceId);
        span?.SetTag("research.sources", input.Sources.Count);
        span?.SetTag("research.revision", input.Feedback is not null);
        var result = await synthesizer.SynthesizeAsync(input.Question, input.Sources, input.Feedback, input.Findings).ConfigureAwait(false);
        span?.SetTag("research.citations", result.Value.Citations.Count);
        return new SynthesizeReportOutput(result.Value, result.Usage);
    }
}
