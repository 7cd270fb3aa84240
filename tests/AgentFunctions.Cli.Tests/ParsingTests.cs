using AgentFunctions.Cli;
using Spectre.Console;

namespace AgentFunctions.Cli.Tests;

/// <summary>The command tree as System.CommandLine parses it, and usage errors answered with exit code 2 before anything is sent.</summary>
public sealed class ParsingTests
{
    private static readonly System.CommandLine.RootCommand Root = AgentFn.Build(AnsiConsole.Console, _ => null, TimeSpan.FromSeconds(1));

    [Fact]
    public void Parse_AskWithOptions_BindsEveryValue()
    {
        var result = Root.Parse(["ask", "What is a durable timer?", "--max-sources", "4", "--no-approval", "--approval-timeout", "PT2H", "--url", "http://127.0.0.1:9999"]);

        Assert.Empty(result.Errors);
        Assert.Equal("ask", result.CommandResult.Command.Name);
        Assert.Equal("What is a durable timer?", result.GetValue<string>("question"));
        Assert.Equal(4, result.GetValue<int?>("--max-sources"));
        Assert.True(result.GetValue<bool>("--no-approval"));
        Assert.Equal("PT2H", result.GetValue<string?>("--approval-timeout"));
        Assert.Equal("http://127.0.0.1:9999", result.GetValue<string?>("--url"));
        Assert.Equal(600, result.GetValue<int>("--timeout"));
    }

    [Fact]
    public void Parse_ListStatusesCommaSeparatedAndRepeated_CollectsAll()
    {
        var result = Root.Parse(["list", "--status", "Running,Completed", "--status", "Failed", "--top", "5"]);

        Assert.Empty(result.Errors);
        Assert.Equal(["Running,Completed", "Failed"], result.GetValue<string[]>("--status")!);
        Assert.Equal(5, result.GetValue<int>("--top"));
    }

    [Theory]
    [InlineData(new[] { "approve", "run-1" }, "--reviewer")]
    [InlineData(new[] { "revise", "run-1", "--reviewer", "Ada" }, "--comment")]
    [InlineData(new[] { "list", "--top", "0" }, "--top")]
    [InlineData(new[] { "batch", "questions.jsonl", "--encoding", "utf16" }, "utf16")]
    [InlineData(new[] { "ask" }, "question")]
    [InlineData(new[] { "ask", "q", "--max-sources", "many" }, "many")]
    [InlineData(new[] { "frobnicate" }, "frobnicate")]
    public async Task RunAsync_UsageError_Exits2NamingIt(string[] args, string named)
    {
        var (exitCode, output) = await CliConsole.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Contains(named, output, StringComparison.Ordinal);
        Assert.Contains("agentfn --help", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_BadUrl_Exits2NamingTheVariable()
    {
        var (exitCode, output) = await CliConsole.RunAsync(["status", "run-1"], new Dictionary<string, string> { ["AGENTFUNCTIONS_URL"] = "127.0.0.1:7071" });

        Assert.Equal(2, exitCode);
        Assert.Contains("'127.0.0.1:7071' is not an http(s) URL", output, StringComparison.Ordinal);
        Assert.Contains("AGENTFUNCTIONS_URL", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NothingListening_Exits3SayingWhere()
    {
        var port = FreePort();

        var (exitCode, output) = await CliConsole.RunAsync(["status", "run-1", "--url", $"http://127.0.0.1:{port}"]);

        Assert.Equal(3, exitCode);
        Assert.Contains($"Cannot reach http://127.0.0.1:{port}/", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DecisionWithoutSecret_Exits2BeforeSending()
    {
        var port = FreePort();

        var (exitCode, output) = await CliConsole.RunAsync(["approve", "run-1", "--reviewer", "Ada", "--url", $"http://127.0.0.1:{port}"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("AGENTFUNCTIONS_WEBHOOK_SECRET", output, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
