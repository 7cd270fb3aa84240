using AgentFunctions.Host.Batch;
using AgentFunctions.Research.Publishing;

namespace AgentFunctions.Host.Tests.Unit;

public sealed class BatchMessageParserTests
{
    [Fact]
    public void Parse_StringsAndObjects_BuildsBatchRequest()
    {
        var result = BatchMessageParser.Parse("""
            {"batchId": "b-1", "questions": ["  First?  ", {"question": "Second?", "maxSources": 3, "approvalTimeout": "PT2H"}],
             "requireApproval": false, "maxConcurrency": 2}
            """, CallbackUrlPolicy.Default);

        var request = Assert.IsType<AgentFunctions.Research.Orchestration.BatchRequest>(result.Request);
        Assert.Empty(result.Errors);
        Assert.Equal("b-1", request.BatchId);
        Assert.Equal(["First?", "Second?"], request.Questions.Select(q => q.Question));
        Assert.Equal(3, request.Questions[1].MaxSources);
        Assert.Equal(TimeSpan.FromHours(2), request.Questions[1].ApprovalTimeout);
        Assert.False(request.RequireApproval);
        Assert.Equal(2, request.MaxConcurrency);
    }

    [Fact]
    public void Parse_RequireApprovalAbsent_LeavesEachQuestionsOwnSetting()
    {
        var result = BatchMessageParser.Parse("""{"batchId": "b", "questions": ["Q?"]}""", CallbackUrlPolicy.Default);

        Assert.Null(result.Request!.RequireApproval);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1]", "must be a JSON object")]
    [InlineData("""{"questions": ["Q?"]}""", "batchId is required")]
    [InlineData("""{"batchId": 7, "questions": ["Q?"]}""", "batchId must be a string")]
    [InlineData("""{"batchId": "a/b", "questions": ["Q?"]}""", "batchId 'a/b' may not contain '/'")]
    [InlineData("""{"batchId": "b"}""", "questions is required")]
    [InlineData("""{"batchId": "b", "questions": []}""", "questions must not be empty")]
    [InlineData("""{"batchId": "b", "questions": "Q?"}""", "questions must be a list")]
    [InlineData("""{"batchId": "b", "questions": ["  "]}""", "questions[0]: the question must not be empty")]
    [InlineData("""{"batchId": "b", "questions": ["Q?", 5]}""", "questions[1] must be a question string or an object")]
    [InlineData("""{"batchId": "b", "questions": [{"question": "Q?", "maxSources": 99}]}""", "questions[0].maxSources: maxSources is 99")]
    [InlineData("""{"batchId": "b", "questions": [{"maxSources": 3}]}""", "questions[0].question: The question is required")]
    [InlineData("""{"batchId": "b", "questions": ["Q?"], "requireApproval": "no"}""", "requireApproval must be true or false")]
    [InlineData("""{"batchId": "b", "questions": ["Q?"], "maxConcurrency": 0}""", "maxConcurrency must be a whole number from 1 to 64")]
    [InlineData("""{"batchId": "b", "questions": [{"question": "Q?", "callbackUrl": "https://10.0.0.5/cb"}]}""", "questions[0].callbackUrl: callbackUrl: host '10.0.0.5' is a private address")]
    [InlineData("""{"batchId": "b", "questions": [{"question": "Q?", "callbackUrl": "http://example.com/cb"}]}""", "questions[0].callbackUrl: callbackUrl: it uses http")]
    public void Parse_InvalidMessage_NamesTheProblem(string body, string expected)
    {
        var result = BatchMessageParser.Parse(body, CallbackUrlPolicy.Default);

        Assert.Null(result.Request);
        Assert.Contains(result.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_InvalidQuestions_KeepsBatchIdForLogs()
    {
        var result = BatchMessageParser.Parse("""{"batchId": "keep-me", "questions": []}""", CallbackUrlPolicy.Default);

        Assert.Null(result.Request);
        Assert.Equal("keep-me", result.BatchId);
    }

    [Fact]
    public void Parse_BatchIdTooLongForSubInstanceIds_IsRejected()
    {
        var result = BatchMessageParser.Parse($$"""{"batchId": "{{new string('x', 250)}}", "questions": ["Q?"]}""", CallbackUrlPolicy.Default);

        Assert.Contains(result.Errors, e => e.StartsWith("batchId is 250 characters", StringComparison.Ordinal));
    }
}
