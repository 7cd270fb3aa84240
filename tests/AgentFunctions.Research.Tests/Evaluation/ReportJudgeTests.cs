using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Evaluation;
using AgentFunctions.Research.Tests.Agents;
using Microsoft.Extensions.AI.Evaluation;

namespace AgentFunctions.Research.Tests.Evaluation;

/// <summary>
/// The live-model grading path, as far as it can be run here: a scripted model stands in for Azure OpenAI (the live
/// run itself needs AZURE_OPENAI_ENDPOINT and was not run in this workplace).
/// </summary>
public sealed class ReportJudgeTests
{
    private static readonly ResearchReport s_report = new(
        "Reefs", "Reefs take 10 to 15 years to recover [1].", [new Citation(1, "crl-004", "t", "u", "about 10 to 15 years")]);

    [Fact]
    public async Task EvaluateAsync_JudgeRepliesWithThreeScores_ReturnsThreeNumericMetricsAndSendsTheCitedPassages()
    {
        var model = new ScriptedChatClient("relevance: 5\ngroundedness: 4\ncompleteness: 2");
        var (question, answer, sources) = ReportJudge.Inputs("How long do reefs take to recover?", s_report);

        var result = await new ReportJudge().EvaluateAsync([question], answer, new ChatConfiguration(model), [sources]);

        Assert.Equal(5, result.Get<NumericMetric>(ReportJudge.Relevance).Value);
        Assert.Equal(4, result.Get<NumericMetric>(ReportJudge.Groundedness).Value);
        var completeness = result.Get<NumericMetric>(ReportJudge.Completeness);
        Assert.Equal(2, completeness.Value);
        Assert.True(completeness.Interpretation!.Failed);
        Assert.Contains("crl-004: about 10 to 15 years", model.Calls[0].Messages[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ScoreMissingOrOutOfRange_LeavesItEmptyWithAnErrorDiagnostic()
    {
        var result = ReportJudge.Parse("relevance: 9\ngroundedness: 3");

        Assert.Null(result.Get<NumericMetric>(ReportJudge.Relevance).Value);
        Assert.Contains(result.Get<NumericMetric>(ReportJudge.Relevance).Diagnostics!, d => d.Severity == EvaluationDiagnosticSeverity.Error);
        Assert.Equal(3, result.Get<NumericMetric>(ReportJudge.Groundedness).Value);
        Assert.Null(result.Get<NumericMetric>(ReportJudge.Completeness).Value);
    }
}
