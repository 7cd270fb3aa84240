using Microsoft.DurableTask;
using AgentFunctions.Research.Agents;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Telemetry;

namespace AgentFunctions.Research.Activities;

/// <summary>Input of <see cref="PlanResearchActivity"/>.</summary>
/// <param name="Question">The research question.</param>
/// <param name="MaxSubQueries">Most sub-queries to return.</param>
public sealed record PlanResearchInput(string Question, int MaxSubQueries);

/// <summary>Output of <see cref="PlanResearchActivity"/>.</summary>
/// <param name="Plan">The sub-queries.</param>
/// <param name="Usage">Model usage of the step.</param>
public sealed record PlanResearchOutput(ResearchPlan Plan, Usage Usage);

/// <summary>Plans the sub-queries of a question with the <see cref="PlannerAgent"/>.</summary>
/// <param name="planner">The planner agent.</param>
public sealed class PlanResearchActivity(PlannerAgent planner) : TaskActivity<PlanResearchInput, PlanResearchOutput>
{
    /// <inheritdoc />
    public override async Task<PlanResearchOutput> RunAsync(TaskActivityContext context, PlanResearchInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        using var span = RunTrace.StartStep("plan", context.InstanceId);
        var result = await planner.PlanAsync(input.Question, input.MaxSubQueries).ConfigureAwait(false);
        span?.SetTag("research.sub_queries", result.Value.SubQueries.Count);
        return new PlanResearchOutput(result.Value, result.Usage);
    }
}
