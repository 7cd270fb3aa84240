using System.Text.Json.Nodes;
using AgentFunctions.Cli;

namespace AgentFunctions.Cli.Tests;

public sealed class BatchFileTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 18, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("agentfn-batch-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Read_JsonlStringsAndObjects_OneQuestionPerLine()
    {
        var path = Write("q.jsonl", "\"What is event sourcing?\"\n\n{\"question\": \"Why do timers survive restarts?\", \"maxSources\": 3}\n");

        var message = BatchFile.Read(path, "b1", requireApproval: false, Now);

        Assert.Equal("b1", message["batchId"]!.GetValue<string>());
        Assert.False(message["requireApproval"]!.GetValue<bool>());
        var questions = message["questions"]!.AsArray();
        Assert.Equal(2, questions.Count);
        Assert.Equal("What is event sourcing?", questions[0]!.GetValue<string>());
        Assert.Equal(3, questions[1]!["maxSources"]!.GetValue<int>());
    }

    [Fact]
    public void Read_JsonList_GetsAGeneratedBatchId()
    {
        var path = Write("q.json", """["one?", "two?"]""");

        var message = BatchFile.Read(path, null, requireApproval: true, Now);

        Assert.StartsWith("20261203-180000-", message["batchId"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(message["requireApproval"]!.GetValue<bool>());
    }

    [Fact]
    public void Read_WholeMessage_KeepsItsFields()
    {
        var path = Write("b.json", """{"batchId": "given", "questions": ["q?"], "requireApproval": true, "maxConcurrency": 2}""");

        var message = BatchFile.Read(path, null, requireApproval: false, Now);

        Assert.Equal("given", message["batchId"]!.GetValue<string>());
        Assert.True(message["requireApproval"]!.GetValue<bool>());
        Assert.Equal(2, message["maxConcurrency"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("q.jsonl", "\"fine?\"\nnot json\n", "line 2: not JSON")]
    [InlineData("q.json", "[]", "no questions")]
    [InlineData("q.json", "[\"ok?\", {\"maxSources\": 3}]", "questions[1] must be")]
    [InlineData("q.json", "42", "expected a list of questions")]
    public void Read_BadFile_ThrowsUsageErrorSayingWhere(string name, string content, string expected)
    {
        var path = Write(name, content);

        var ex = Assert.Throws<CliException>(() => BatchFile.Read(path, null, requireApproval: false, Now));

        Assert.Equal(2, ex.ExitCode);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }
}
