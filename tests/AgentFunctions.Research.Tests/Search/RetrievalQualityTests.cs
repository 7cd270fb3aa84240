using System.Diagnostics;
using System.Globalization;
using AgentFunctions.Research.Evaluation;
using AgentFunctions.Research.Search;
using Xunit.Abstractions;

namespace AgentFunctions.Research.Tests.Search;

public sealed class RetrievalQualityTests(ITestOutputHelper output)
{
    private const int Depth = 8;

    private static readonly Lazy<CorpusSearchProvider> _provider = new(() => CorpusSearchProvider.FromDirectory(RepositoryPaths.CorpusDirectory));

    [Fact]
    public void EvalSet_SourceRecallAt8_AboveBar()
    {
        // Arrange
        var questions = EvalQuestion.Load(RepositoryPaths.EvalQuestionsFile).Where(q => q.Answerable).ToList();
        var provider = _provider.Value;
        int relevantTotal = 0, relevantFound = 0, questionsFullyCovered = 0, hostileInTop = 0;
        double reciprocalRankSum = 0;

        // Act
        foreach (var question in questions)
        {
            var hits = provider.Search(question.Question, Depth);
            var ids = hits.Select(h => h.SourceId).ToList();
            var found = question.Relevant.Count(ids.Contains);
            relevantTotal += question.Relevant.Count;
            relevantFound += found;
            questionsFullyCovered += found == question.Relevant.Count ? 1 : 0;
            hostileInTop += question.MustNotCite.Count(ids.Contains);
            var firstRelevant = ids.FindIndex(question.Relevant.Contains);
            reciprocalRankSum += firstRelevant < 0 ? 0 : 1.0 / (firstRelevant + 1);
            if (found < question.Relevant.Count)
            {
                output.WriteLine($"{question.Id}: missed {string.Join(", ", question.Relevant.Except(ids))}; top {Depth}: {string.Join(", ", ids)}");
            }
        }

        var recall = (double)relevantFound / relevantTotal;
        var mrr = reciprocalRankSum / questions.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"source recall@{Depth} = {recall:F3} ({relevantFound}/{relevantTotal}); questions fully covered = {questionsFullyCovered}/{questions.Count}; MRR = {mrr:F3}; must-not-cite docs in top {Depth} = {hostileInTop}"));

        // Assert
        Assert.True(recall >= 0.95, string.Create(CultureInfo.InvariantCulture, $"source recall@{Depth} {recall:F3} fell below 0.95"));
        // Measured 0.976 recall, MRR 0.899 on the 43 answerable development questions (was 0.973 / 0.933 on the first 35;
        // the added paraphrase and contradiction questions are harder for plain BM25 over the question text).
        Assert.True(mrr >= 0.89, string.Create(CultureInfo.InvariantCulture, $"MRR {mrr:F3} fell below 0.89"));
    }

    [Fact]
    public void Search_RepeatedQueries_TakeMicroseconds()
    {
        // Arrange
        var provider = _provider.Value;
        var questions = EvalQuestion.Load(RepositoryPaths.EvalQuestionsFile).Select(q => q.Question).ToArray();
        foreach (var question in questions)
        {
            provider.Search(question, Depth); // warm up the JIT
        }

        // Act: the fastest of several rounds, since other builds share this machine and only slow rounds down.
        const int Rounds = 50;
        var fastestRound = TimeSpan.MaxValue;
        for (var round = 0; round < Rounds; round++)
        {
            var stopwatch = Stopwatch.StartNew();
            foreach (var question in questions)
            {
                provider.Search(question, Depth);
            }

            fastestRound = TimeSpan.FromTicks(Math.Min(fastestRound.Ticks, stopwatch.Elapsed.Ticks));
        }

        var microsecondsPerQuery = fastestRound.TotalMicroseconds / questions.Length;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{provider.Documents.Count} documents, {provider.TermCount} terms: {microsecondsPerQuery:F1} µs per query (fastest of {Rounds} rounds)"));

        // Assert: a generous ceiling; the printed figure is the measurement.
        Assert.True(microsecondsPerQuery < 1_000, string.Create(CultureInfo.InvariantCulture, $"{microsecondsPerQuery:F1} µs per query"));
    }
}
