using AgentFunctions.Research.Agents;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Models;
using AgentFunctions.Research.Search;
using AgentFunctions.Research.Tests.Agents;
using AgentFunctions.Research.Tests.Search;

namespace AgentFunctions.Research.Tests.Models;

public sealed class OfflinePipelineTests
{
    private readonly OfflineChatClient _model = new();

    [Fact]
    public async Task Pipeline_OverSmallCorpus_PlansValidatesSynthesizesAndPassesTheCheck()
    {
        // Arrange
        var planner = new PlannerAgent(_model);
        var validator = new SourceValidatorAgent(_model);
        var synthesizer = new SynthesizerAgent(_model);
        var checker = new CitationCheckerAgent(_model, new CitationCheckerOptions { VerifySupportWithModel = true });
        SearchHit[] corpus = [Samples.Retries, Samples.Timeouts, Samples.Cooking, Samples.Injected];

        // Act
        var plan = await planner.PlanAsync(Samples.Question, 3);
        var verdicts = new List<SourceVerdict>();
        foreach (var hit in corpus)
        {
            verdicts.Add((await validator.ValidateAsync(Samples.Question, hit)).Value);
        }

        var accepted = corpus.Where(h => verdicts.Single(v => v.SourceId == h.SourceId).Accepted).ToList();
        var report = await synthesizer.SynthesizeAsync(Samples.Question, accepted);
        var check = await checker.CheckAsync(report.Value, accepted);

        // Assert
        Assert.InRange(plan.Value.SubQueries.Count, 1, 3);
        Assert.Equal(["retries", "timeouts"], accepted.Select(h => h.SourceId));
        Assert.True(verdicts.Single(v => v.SourceId == "injected").InjectionSuspected);
        Assert.Contains("Off topic", verdicts.Single(v => v.SourceId == "cooking").Reason, StringComparison.Ordinal);
        Assert.True(check.Value.Passed, string.Join("; ", check.Value.Findings.Select(f => f.Problem)));
        Assert.NotEmpty(report.Value.Citations);
        Assert.All(report.Value.Citations, c => Assert.Contains(c.Quote, accepted.Single(h => h.SourceId == c.SourceId).Content, StringComparison.Ordinal));
        Assert.DoesNotContain(report.Value.Citations, c => c.SourceId == "injected");
        Assert.DoesNotContain("approve", report.Value.Summary, StringComparison.OrdinalIgnoreCase);
        Assert.True(report.Usage.InputTokens > 100 && report.Usage.OutputTokens > 20);
    }

    [Fact]
    public async Task PlanAsync_QuestionWithFacets_SplitsIntoFacetQueries()
    {
        var plan = await new PlannerAgent(_model).PlanAsync(Samples.Question, 5);

        var texts = plan.Value.SubQueries.Select(q => q.Text).ToList();
        Assert.True(texts.Count >= 2, string.Join(" | ", texts));
        Assert.Contains(texts, t => t.Contains("timeouts", StringComparison.OrdinalIgnoreCase) && t.Contains("Durable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PlanAsync_MaxOne_ReturnsOne()
    {
        var plan = await new PlannerAgent(_model).PlanAsync(Samples.Question, 1);

        Assert.Single(plan.Value.SubQueries);
    }

    [Fact]
    public async Task ValidateAsync_InjectionTheScreenMisses_OfflineModelStillNeverAccepts()
    {
        // Arrange: the offline model reads only delimited content, and its own verdict is extractive.
        var hit = Samples.Hit("quiet", "Durable Functions retries", "Durable Functions retry failed activities with retry policies and timeouts.");

        var verdict = await new SourceValidatorAgent(_model).ValidateAsync(Samples.Question, hit);

        Assert.True(verdict.Value.Accepted);
        Assert.InRange(verdict.Value.Relevance, OfflineChatClient.AcceptThreshold, 1);
        Assert.Equal(1, verdict.Attempts);
    }

    [Theory]
    [InlineData("Please make it shorter.", 2)]
    [InlineData("Needs more detail.", 4)]
    public async Task SynthesizeAsync_ReviewerLengthFeedback_ChangesCitationCount(string feedback, int expectedCitations)
    {
        var synthesizer = new SynthesizerAgent(_model);
        SearchHit[] sources = [Samples.Retries, Samples.Timeouts];

        var revised = await synthesizer.SynthesizeAsync(Samples.Question, sources, feedback);

        Assert.Equal(expectedCitations, revised.Value.Citations.Count);
        Assert.StartsWith("Revised after review", revised.Value.Summary, StringComparison.Ordinal);
        Assert.True((await new CitationCheckerAgent(_model).CheckAsync(revised.Value, sources)).Value.Passed);
    }

    [Fact]
    public async Task SynthesizeAsync_FocusFeedback_LeadsWithFocusAndNamesIt()
    {
        var synthesizer = new SynthesizerAgent(_model);

        var revised = await synthesizer.SynthesizeAsync(Samples.Question, [Samples.Retries, Samples.Timeouts], "Shorter please, and focus on durable timers.");

        Assert.Contains("focus: durable timers", revised.Value.Title, StringComparison.Ordinal);
        Assert.All(revised.Value.Citations, c => Assert.Contains("timer", c.Quote, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task GetResponseAsync_OutputCapTooSmall_TruncatesWithLengthAndAgentFails()
    {
        var synthesizer = new SynthesizerAgent(_model, new AgentOptions { MaxOutputTokens = 10, MaxRepairs = 1 });

        var ex = await Assert.ThrowsAsync<AgentOutputException>(() => synthesizer.SynthesizeAsync(Samples.Question, [Samples.Retries]));

        Assert.Contains("cut off", ex.LastValidationError, StringComparison.Ordinal);
        Assert.Equal(2, ex.Attempts);
    }

    private static readonly Lazy<CorpusSearchProvider> s_corpus = new(() => CorpusSearchProvider.FromDirectory(RepositoryPaths.CorpusDirectory));

    [Fact]
    public async Task PlanAsync_QuestionWithA200CharacterToken_PlansShortQueriesInsteadOfFailing()
    {
        var question = "How do durable timers work with " + new string('x', 200) + " and external events?";

        var plan = await new PlannerAgent(_model).PlanAsync(question, 4);

        Assert.All(plan.Value.SubQueries, q => Assert.InRange(q.Text.Length, 1, PlannerAgent.MaxQueryLength));
        Assert.DoesNotContain(plan.Value.SubQueries, q => q.Text.Contains("xxxx", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PlanAsync_ParaphrasedQuestion_AddsASynonymQuery()
    {
        var plan = await new PlannerAgent(_model).PlanAsync("How do germs pass drug resistance to each other?", 4);

        Assert.Contains(plan.Value.SubQueries, q => q.Text.Contains("bacteria", StringComparison.Ordinal) && q.Text.Contains("antibiotic", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidateAsync_SynonymsInsteadOfSharedWords_AcceptsTheSource()
    {
        var source = Corpus("abr-002");

        var verdict = await new SourceValidatorAgent(_model).ValidateAsync("How do germs pass drug resistance on to other kinds of germs?", source);

        Assert.True(verdict.Value.Accepted, verdict.Value.Reason);
    }

    [Fact]
    public async Task SynthesizeAsync_SourcesNearTheQuestionButNotAnsweringIt_SaysSoAndNamesWhatWasFound()
    {
        SearchHit[] sources = [Corpus("uhi-003"), Corpus("gse-002")];

        var report = await new SynthesizerAgent(_model).SynthesizeAsync("Why do heat pumps lose efficiency in cold weather?", sources);

        Assert.False(report.Value.Answered);
        Assert.Empty(report.Value.Citations);
        Assert.StartsWith("The accepted sources do not answer this question.", report.Value.Summary, StringComparison.Ordinal);
        Assert.Contains(sources[0].Title, report.Value.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SynthesizeAsync_CitedSourcesDisagree_DisclosesTheConflict()
    {
        SearchHit[] sources = [Corpus("crl-004"), Corpus("crl-007")];

        var report = await new SynthesizerAgent(_model).SynthesizeAsync("How many years do reefs take to recover their coral cover after bleaching?", sources);

        Assert.True(report.Value.Answered);
        var conflict = Assert.Single(report.Value.Conflicts);
        Assert.Equal(["crl-004", "crl-007"], conflict.Sources.Select(s => s.SourceId).Order());
        Assert.Contains("disagree", report.Value.Summary, StringComparison.Ordinal);
        Assert.True((await new CitationCheckerAgent(_model).CheckAsync(report.Value, sources)).Value.Passed);
    }

    private static SearchHit Corpus(string id)
    {
        var d = s_corpus.Value.Documents.Single(x => x.Id == id);
        return new SearchHit(d.Id, d.Title, d.Url.ToString(), d.Date, d.Body, 1, "test");
    }
}
