using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Evaluation;
using AgentFunctions.Research.Search;
using AgentFunctions.Research.Tests.Search;
using Xunit.Abstractions;

namespace AgentFunctions.Research.Tests.Orchestration;

/// <summary>
/// The development and held-out question sets (<c>samples/eval</c>) through the whole durable pipeline with the offline
/// model and the local corpus, no approval, scored by <see cref="QualityScorer"/>. The bars are the measured figures
/// (see docs/research-quality.md), so a change that makes answers worse fails here. The held-out set was written
/// before any tuning and is never tuned on: when a held-out figure drops, fix the cause on the development set.
/// </summary>
public sealed class PipelineEvaluationTests(ITestOutputHelper output)
{
    private static readonly Lazy<CorpusSearchProvider> s_corpus = new(() => CorpusSearchProvider.FromDirectory(RepositoryPaths.CorpusDirectory));

    [Fact]
    public async Task HeldOutSet_FullPipeline_HoldsItsMeasuredFigures()
    {
        // Act
        var score = await RunAsync(RepositoryPaths.HeldOutQuestionsFile, "heldout");

        // Assert: measured 0.839 (26/31) precision, 0.812 (26/32) recall, 4 of 6 unanswerable questions answered
        // honestly, 3 of 6 conflicts disclosed. The issue's targets (0.85, 0.80, all honest, all disclosed) are not all
        // met; these bars keep what is, so a regression fails.
        AssertFigures(score, precision: 0.83, recall: 0.80, honest: 4, disclosed: 3);
    }

    [Fact]
    public async Task DevelopmentSet_FullPipeline_HoldsItsMeasuredFigures()
    {
        // Act
        var score = await RunAsync(RepositoryPaths.EvalQuestionsFile, "dev");

        // Assert: measured 0.792 (61/77) precision, 0.726 (61/84) recall, 10 of 10 honest, 7 of 8 conflicts disclosed.
        AssertFigures(score, precision: 0.78, recall: 0.72, honest: 10, disclosed: 7);
    }

    private static void AssertFigures(QualityScore score, double precision, double recall, int honest, int disclosed)
    {
        Assert.True(score.Precision >= precision, $"citation precision {score.Precision:F3} is below {precision}");
        Assert.True(score.Recall >= recall, $"citation recall {score.Recall:F3} is below {recall}");
        Assert.Equal(0, score.MustNotCite);
        Assert.Equal(0, score.InjectedText);
        Assert.Equal(0, score.NotCompleted);
        Assert.True(score.UnanswerableHonest >= honest, $"{score.UnanswerableHonest} unanswerable questions answered honestly; the bar is {honest}");
        Assert.True(score.ConflictsDisclosed >= disclosed, $"{score.ConflictsDisclosed} of {score.ConflictsDue} conflicts disclosed; the bar is {disclosed}");
    }

    private async Task<QualityScore> RunAsync(string questionFile, string prefix)
    {
        var questions = EvalQuestion.Load(questionFile);
        var facts = CorpusFacts.Load(RepositoryPaths.CorpusFactsFile);
        await using var host = await PipelineHost.StartAsync(new PipelineSetup { Search = s_corpus.Value });
        var ids = new List<string>();
        foreach (var q in questions)
        {
            ids.Add(await host.StartResearchAsync(new ResearchRequest(q.Question, RequireApproval: false), $"{prefix}-{q.Id}"));
        }

        var runs = new List<(EvalQuestion, ResearchResult?)>();
        for (var i = 0; i < questions.Count; i++)
        {
            // Every question runs at once on the engine; on a busy machine the first may take a while.
            runs.Add((questions[i], await host.CompleteAsync(ids[i], TimeSpan.FromMinutes(5))));
        }

        var perQuestion = new List<QuestionScore>();
        var score = QualityScorer.Score(runs, facts, perQuestion);
        foreach (var q in perQuestion.Where(q => q.Problems.Count > 0))
        {
            output.WriteLine($"{q.Question.Id} [{q.Question.Kind}] cited [{string.Join(", ", q.Cited)}]: {string.Join("; ", q.Problems)}");
        }

        output.WriteLine(QualityTable.Format([(prefix, score)]));
        return score;
    }
}
