using Microsoft.DurableTask;
using AgentFunctions.Research.Agents;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Telemetry;

namespace AgentFunctions.Research.Activities;

/// <summary>Input of <see cref="CheckCitationsActivity"/>.</summary>
/// <param name="Draft">The draft to check.</param>
/// <param name="Sources">The accepted sources it may cite.</param>
public sealed record CheckCitationsInput(ResearchReport Draft, IReadOnlyList<SearchHit> Sources);

/// <summary>Output of <see cref="CheckCitationsActivity"/>.</summary>
/// <param name="Check">Whether the draft passed, and its findings.</param>
/// <param name="Usage">Model usage of the step (none when only the code checks ran).</param>
public sealed record CheckCitationsOutput(CitationCheck Check, Usage Usage);

/// <summary>Checks a draft's citations with the <see cref="CitationCheckerAgent"/>.</summary>
/// <param name="checker">The citation checker agent.</param>
public sealed class CheckCitationsActivity(CitationCheckerAgent checker) : TaskActivity<CheckCitationsInput, CheckCitationsOutput>
{
    /// <inheritdoc />
    public override async Task<CheckCitationsOutput> RunAsync(TaskActivityContext context, CheckCitationsInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        using var span = RunTrace.StartStep("check-citations", context.InstanceId);
        var result = await checker.CheckAsync(input.Draft, input.Sources).ConfigureAwait(false);
        span?.SetTag("research.citations.passed", result.Value.Passed);
        span?.SetTag("research.citations.findings", result.Value.Findings.Count);
        return new CheckCitationsOutput(result.Value, result.Usage);
    }
}
