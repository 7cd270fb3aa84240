using System.Diagnostics;
using System.Globalization;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Evaluation;
using AgentFunctions.Research.Models;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace AgentFunctions.Bench.Scenarios;

/// <summary>
/// The research quality evaluation: every development and held-out question (<c>samples/eval</c>) through the whole
/// pipeline, no approval, scored by <see cref="QualityScorer"/> and printed side by side. With
/// <c>AZURE_OPENAI_ENDPOINT</c> set the pipeline runs on the live model and each report is also graded by
/// <see cref="ReportJudge"/> (relevance, groundedness, completeness); without it, the offline model and our scorers only.
/// </summary>
public static class EvalScenarios
{
    /// <summary>Runs both sets and prints the table.</summary>
    /// <param name="repoRoot">The repository root (for <c>samples/</c>).</param>
    public static async Task<IReadOnlyList<BenchResult>> RunAsync(string repoRoot)
    {
        var eval = Path.Combine(repoRoot, "samples", "eval");
        var facts = CorpusFacts.Load(Path.Combine(eval, "corpus-facts.json"));
        var settings = ModelProviderSettings.FromEnvironment();
        var live = settings.Endpoint is not null;
        var configuration = new Dictionary<string, string?>
        {
            [ModelProviderSettings.EndpointKey] = Environment.GetEnvironmentVariable(ModelProviderSettings.EndpointKey),
            [ModelProviderSettings.DeploymentKey] = Environment.GetEnvironmentVariable(ModelProviderSettings.DeploymentKey),
            [ModelProviderSettings.ApiKeyKey] = Environment.GetEnvironmentVariable(ModelProviderSettings.ApiKeyKey),
        };

        await using var host = await ResearchScenarios.PipelineBenchHost.StartAsync(configuration);
        var columns = new List<(string, QualityScore)>();
        var results = new List<BenchResult>();
        foreach (var (name, file) in new[] { ("development", "questions.json"), ("held-out", "heldout.json") })
        {
            var questions = EvalQuestion.Load(Path.Combine(eval, file));
            var started = Stopwatch.GetTimestamp();
            var runs = new List<(EvalQuestion, ResearchResult?)>();
            foreach (var q in questions)
            {
                runs.Add((q, await host.RunAsync($"eval-{q.Id}-{Guid.NewGuid():N}", new ResearchRequest(q.Question, RequireApproval: false))));
            }

            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var per = new List<QuestionScore>();
            var score = QualityScorer.Score(runs, facts, per);
            foreach (var q in per.Where(q => q.Problems.Count > 0))
            {
                Console.WriteLine($"  {name} {q.Question.Id} [{q.Question.Kind}]: {string.Join("; ", q.Problems)}");
            }

            columns.Add((name, score));
            results.Add(new("Q eval " + name, "citation precision", score.Precision, "", name == "held-out" ? ">= 0.85" : "", name == "held-out" ? score.Precision >= 0.85 : null, $"{questions.Count} questions in {seconds:N1} s"));
            results.Add(new("Q eval " + name, "citation recall", score.Recall, "", name == "held-out" ? ">= 0.80" : "", name == "held-out" ? score.Recall >= 0.80 : null, live ? "live model" : "offline model"));
            if (live)
            {
                results.AddRange(await JudgeAsync(name, runs, settings));
            }
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Research quality ({(live ? "live model " + settings.Deployment : "offline model")}, local corpus; {Environment.ProcessorCount} cores, load average {LoadAverage():F2}):"));
        Console.WriteLine(QualityTable.Format(columns));
        return results;
    }

    /// <summary>Grades every report with <see cref="ReportJudge"/> on the live model; averages per metric.</summary>
    private static async Task<IEnumerable<BenchResult>> JudgeAsync(string name, List<(EvalQuestion Question, ResearchResult? Result)> runs, ModelProviderSettings settings)
    {
        using var judgeClient = ModelProviderFactory.CreateProvider(settings);
        var configuration = new ChatConfiguration(judgeClient);
        var judge = new ReportJudge();
        var sums = judge.EvaluationMetricNames.ToDictionary(n => n, _ => (Sum: 0.0, Count: 0));
        foreach (var (question, result) in runs)
        {
            if (result?.Report is not { } report)
            {
                continue;
            }

            var (asked, answer, sources) = ReportJudge.Inputs(question.Question, report);
            var graded = await judge.EvaluateAsync([asked], answer, configuration, [sources]);
            foreach (var metric in graded.Metrics.Values.OfType<NumericMetric>().Where(m => m.Value is not null))
            {
                sums[metric.Name] = (sums[metric.Name].Sum + metric.Value!.Value, sums[metric.Name].Count + 1);
            }
        }

        return sums.Select(s => new BenchResult("Q eval " + name, s.Key.ToLowerInvariant() + " (1-5, live judge)", s.Value.Count == 0 ? double.NaN : s.Value.Sum / s.Value.Count, "", "", null, $"{s.Value.Count} reports graded"));
    }

    private static double LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }
}
