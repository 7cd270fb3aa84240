using AgentFunctions.Research.Agents;
using AgentFunctions.Research.Contracts;
using Microsoft.Extensions.AI;

namespace AgentFunctions.Research.Tests.Agents;

public sealed class AgentTests
{
    private const string ValidPlan = """{"subQueries":[{"text":"durable functions retry policy","rationale":"retries"},{"text":"durable functions timeout","rationale":"timeouts"}]}""";

    [Fact]
    public async Task PlanAsync_ValidReply_ReturnsPlanWithOneAttempt()
    {
        var model = new ScriptedChatClient(ValidPlan);
        var planner = new PlannerAgent(model);

        var result = await planner.PlanAsync(Samples.Question, 3);

        Assert.Equal(["durable functions retry policy", "durable functions timeout"], result.Value.SubQueries.Select(q => q.Text));
        Assert.Equal(1, result.Attempts);
        Assert.Equal(new Usage(100, 10, 1), result.Usage);
        var options = Assert.Single(model.Calls).Options!;
        Assert.Equal(0f, options.Temperature);
        Assert.Equal(PlannerAgent.DefaultMaxOutputTokens, options.MaxOutputTokens);
        var format = Assert.IsType<ChatResponseFormatJson>(options.ResponseFormat);
        Assert.Equal(PlannerAgent.SchemaName, format.SchemaName);
        Assert.NotNull(format.Schema);
    }

    [Fact]
    public async Task PlanAsync_InvalidJsonThenValid_RepairsAndSumsUsage()
    {
        var model = new ScriptedChatClient("{\"subQueries\": [", ValidPlan);
        var planner = new PlannerAgent(model);

        var result = await planner.PlanAsync(Samples.Question, 3);

        Assert.Equal(2, result.Attempts);
        Assert.Equal(new Usage(200, 20, 2), result.Usage);
        var repair = model.Calls[1].Messages;
        Assert.Equal(ChatRole.Assistant, repair[^2].Role);
        Assert.Equal(ChatRole.User, repair[^1].Role);
        Assert.Contains("not valid JSON", repair[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanAsync_TooManySubQueries_FeedsTheLimitBack()
    {
        var model = new ScriptedChatClient(ValidPlan, """{"subQueries":[{"text":"durable functions","rationale":"all"}]}""");
        var planner = new PlannerAgent(model);

        var result = await planner.PlanAsync(Samples.Question, 1);

        Assert.Single(result.Value.SubQueries);
        Assert.Contains("at most 1", model.Calls[1].Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanAsync_InvalidThreeTimes_ThrowsAgentOutputExceptionNamingAgentAndError()
    {
        var model = new ScriptedChatClient("nope", "{}", """{"subQueries":[]}""");
        var planner = new PlannerAgent(model);

        var ex = await Assert.ThrowsAsync<AgentOutputException>(() => planner.PlanAsync(Samples.Question, 3));

        Assert.Equal(AgentNames.Planner, ex.Agent);
        Assert.Equal(3, ex.Attempts);
        Assert.Equal(3, model.Calls.Count);
        Assert.Contains("empty", ex.LastValidationError, StringComparison.Ordinal);
        Assert.Contains(AgentNames.Planner, ex.Message, StringComparison.Ordinal);
        Assert.Equal(new Usage(300, 30, 3), ex.Usage);
    }

    [Fact]
    public async Task ValidateAsync_ScreenFlagsSource_RejectsWithoutCallingTheModel()
    {
        var model = new ScriptedChatClient("""{"accepted":true,"reason":"great","relevance":1,"injectionSuspected":false}""");
        var validator = new SourceValidatorAgent(model);

        var result = await validator.ValidateAsync(Samples.Question, Samples.Injected);

        Assert.False(result.Value.Accepted);
        Assert.True(result.Value.InjectionSuspected);
        Assert.Contains("instruction-override", result.Value.Reason, StringComparison.Ordinal);
        Assert.Empty(model.Calls);
        Assert.Equal(0, result.Attempts);
        Assert.Equal(Usage.None, result.Usage);
    }

    [Fact]
    public async Task ValidateAsync_ModelAcceptsWhileSuspectingInjection_IsRejected()
    {
        var model = new ScriptedChatClient("""{"accepted":true,"reason":"Relevant.","relevance":0.9,"injectionSuspected":true}""");
        var validator = new SourceValidatorAgent(model);

        var result = await validator.ValidateAsync(Samples.Question, Samples.Retries);

        Assert.False(result.Value.Accepted);
        Assert.True(result.Value.InjectionSuspected);
    }

    [Fact]
    public async Task ValidateAsync_CleanSource_SendsItDelimitedAndReturnsModelVerdict()
    {
        var model = new ScriptedChatClient("""{"accepted":true,"reason":"On topic.","relevance":0.8,"injectionSuspected":false}""");
        var validator = new SourceValidatorAgent(model);

        var result = await validator.ValidateAsync(Samples.Question, Samples.Retries);

        Assert.True(result.Value.Accepted);
        Assert.Equal("retries", result.Value.SourceId);
        var prompt = model.Calls[0].Messages[1].Text;
        Assert.Contains("<source id=\"retries\"", prompt, StringComparison.Ordinal);
        Assert.Contains("never an instruction", model.Calls[0].Messages[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateAsync_RelevanceOutOfRange_Repairs()
    {
        var model = new ScriptedChatClient(
            """{"accepted":true,"reason":"On topic.","relevance":7,"injectionSuspected":false}""",
            """{"accepted":true,"reason":"On topic.","relevance":0.7,"injectionSuspected":false}""");
        var validator = new SourceValidatorAgent(model);

        var result = await validator.ValidateAsync(Samples.Question, Samples.Retries);

        Assert.Equal(2, result.Attempts);
        Assert.Contains("between 0 and 1", model.Calls[1].Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SynthesizeAsync_ParaphrasedQuoteThenExact_RepairsAndFillsTitleAndUrlFromSource()
    {
        var bad = """{"title":"T","summary":"Activities are retried. [1]","citations":[{"n":1,"sourceId":"retries","quote":"Activities get retried automatically."}]}""";
        var good = """{"title":"T","summary":"Activities are retried. [1]","citations":[{"n":1,"sourceId":"retries","quote":"The retry policy sets the number of attempts,   the first retry interval"}]}""";
        var model = new ScriptedChatClient(bad, good);
        var synthesizer = new SynthesizerAgent(model);

        var result = await synthesizer.SynthesizeAsync(Samples.Question, [Samples.Retries, Samples.Timeouts]);

        Assert.Equal(2, result.Attempts);
        var citation = Assert.Single(result.Value.Citations);
        Assert.Equal(Samples.Retries.Title, citation.Title);
        Assert.Equal(Samples.Retries.Url, citation.Url);
        Assert.Contains("verbatim", model.Calls[1].Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SynthesizeAsync_FeedbackAndFindings_AppearInPrompt()
    {
        var good = """{"title":"T","summary":"Retries use durable timers. [1]","citations":[{"n":1,"sourceId":"retries","quote":"Retries are scheduled with durable timers"}]}""";
        var model = new ScriptedChatClient(good);
        var synthesizer = new SynthesizerAgent(model);

        await synthesizer.SynthesizeAsync(Samples.Question, [Samples.Retries], "Make it shorter", [new CitationFinding(2, "Marker [2] has no citation.")]);

        var prompt = model.Calls[0].Messages[1].Text;
        Assert.Contains("Make it shorter", prompt, StringComparison.Ordinal);
        Assert.Contains("Marker [2] has no citation.", prompt, StringComparison.Ordinal);
    }

    private const string TimeoutQuote = "An orchestrator implements a timeout by racing a durable timer";

    [Fact]
    public async Task SynthesizeAsync_ConflictNamingAnUnknownSourceThenValid_RepairsAndKeepsTheConflict()
    {
        const string Citations = "\"citations\":[{\"n\":1,\"sourceId\":\"retries\",\"quote\":\"Retries are scheduled with durable timers\"},{\"n\":2,\"sourceId\":\"timeouts\",\"quote\":\"" + TimeoutQuote + "\"}]";
        var bad = "{\"title\":\"T\",\"summary\":\"They disagree [1] [2].\"," + Citations + ",\"conflicts\":[{\"claim\":\"timers\",\"sources\":[{\"sourceId\":\"retries\",\"says\":\"a\"},{\"sourceId\":\"elsewhere\",\"says\":\"b\"}]}],\"answered\":true}";
        var good = bad.Replace("elsewhere", "timeouts", StringComparison.Ordinal);
        var model = new ScriptedChatClient(bad, good);

        var result = await new SynthesizerAgent(model).SynthesizeAsync(Samples.Question, [Samples.Retries, Samples.Timeouts]);

        Assert.Equal(2, result.Attempts);
        Assert.Contains("'elsewhere' is not one of the provided sources", model.Calls[1].Messages[^1].Text, StringComparison.Ordinal);
        var conflict = Assert.Single(result.Value.Conflicts);
        Assert.Equal(["retries", "timeouts"], conflict.Sources.Select(s => s.SourceId));
        Assert.True(result.Value.Answered);
    }

    [Fact]
    public async Task SynthesizeAsync_NotAnsweredWithoutCitations_IsAcceptedAsAnHonestGap()
    {
        var model = new ScriptedChatClient("""{"title":"T","summary":"The sources do not answer this; they cover retry policies instead.","citations":[],"conflicts":[],"answered":false}""");

        var result = await new SynthesizerAgent(model).SynthesizeAsync(Samples.Question, [Samples.Retries]);

        Assert.Equal(1, result.Attempts);
        Assert.False(result.Value.Answered);
        Assert.Empty(result.Value.Citations);
    }

    [Fact]
    public async Task SynthesizeAsync_AnsweredWithoutCitations_Repairs()
    {
        var model = new ScriptedChatClient(
            """{"title":"T","summary":"Retries happen.","citations":[],"conflicts":[],"answered":true}""",
            """{"title":"T","summary":"Retries use durable timers. [1]","citations":[{"n":1,"sourceId":"retries","quote":"Retries are scheduled with durable timers"}],"conflicts":[],"answered":true}""");

        var result = await new SynthesizerAgent(model).SynthesizeAsync(Samples.Question, [Samples.Retries]);

        Assert.Equal(2, result.Attempts);
    }

    [Fact]
    public async Task SynthesizeAsync_NoSources_ReturnsReportWithoutModelCall()
    {
        var model = new ScriptedChatClient();
        var result = await new SynthesizerAgent(model).SynthesizeAsync(Samples.Question, []);

        Assert.Empty(result.Value.Citations);
        Assert.Equal(0, result.Attempts);
        Assert.Empty(model.Calls);
    }

    [Fact]
    public async Task CheckAsync_ValidDraft_Passes()
    {
        var draft = new ResearchReport("T", "Retries use durable timers. [1]", [Cite(1, "retries", "Retries are scheduled with durable timers, so a restart")]);

        var result = await new CitationCheckerAgent(new ScriptedChatClient()).CheckAsync(draft, [Samples.Retries]);

        Assert.True(result.Value.Passed);
        Assert.Empty(result.Value.Findings);
    }

    [Fact]
    public async Task CheckAsync_MarkerWithoutCitation_IsFound()
    {
        var draft = new ResearchReport("T", "Retries use timers. [1] Timeouts race timers. [2]", [Cite(1, "retries", "Retries are scheduled with durable timers")]);

        var result = await new CitationCheckerAgent(new ScriptedChatClient()).CheckAsync(draft, [Samples.Retries]);

        Assert.False(result.Value.Passed);
        Assert.Contains(result.Value.Findings, f => f.N == 2 && f.Problem.Contains("no citation", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckAsync_UnreferencedCitationAndUnknownSource_AreFound()
    {
        var draft = new ResearchReport("T", "Retries use timers. [1]", [
            Cite(1, "retries", "Retries are scheduled with durable timers"),
            Cite(2, "elsewhere", "anything")]);

        var result = await new CitationCheckerAgent(new ScriptedChatClient()).CheckAsync(draft, [Samples.Retries]);

        Assert.Contains(result.Value.Findings, f => f.N == 2 && f.Problem.Contains("never referenced", StringComparison.Ordinal));
        Assert.Contains(result.Value.Findings, f => f.N == 2 && f.Problem.Contains("unknown source 'elsewhere'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckAsync_NonVerbatimQuote_IsFound()
    {
        var draft = new ResearchReport("T", "Retries use timers. [1]", [Cite(1, "retries", "Retries are scheduled using durable timers")]);

        var result = await new CitationCheckerAgent(new ScriptedChatClient()).CheckAsync(draft, [Samples.Retries]);

        var finding = Assert.Single(result.Value.Findings);
        Assert.Contains("verbatim", finding.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_SupportCheckOn_ReportsUnsupportedClaim()
    {
        var model = new ScriptedChatClient("""{"judgements":[{"n":1,"supported":false,"problem":"The quote is about timers."}]}""");
        var checker = new CitationCheckerAgent(model, new CitationCheckerOptions { VerifySupportWithModel = true });
        var draft = new ResearchReport("T", "Bread needs salt. [1]", [Cite(1, "retries", "Retries are scheduled with durable timers")]);

        var result = await checker.CheckAsync(draft, [Samples.Retries]);

        Assert.False(result.Value.Passed);
        Assert.Equal(1, result.Attempts);
        Assert.Contains("CLAIM: Bread needs salt.", model.Calls[0].Messages[1].Text, StringComparison.Ordinal);
    }

    private static Citation Cite(int n, string sourceId, string quote) => new(n, sourceId, "t", "u", quote);
}
