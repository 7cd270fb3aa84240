using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentFunctions.Host.Tests;
using AgentFunctions.Testing;

namespace AgentFunctions.Cli.Tests;

/// <summary>One real host on a real Azurite (its default AzureStorage backend, so the batch queue trigger runs).</summary>
public sealed class LocalHostFixture : IAsyncLifetime
{
    private AzuriteInstance? _azurite;
    private HostProcess? _host;

    public AzuriteInstance Azurite => _azurite ?? throw new InvalidOperationException("Azurite has not started.");

    public HostProcess Host => _host ?? throw new InvalidOperationException("The host has not started.");

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteInstance.StartNewAsync(inMemory: true);
        var values = HostProcess.DefaultValues();
        values.Remove("AgentFunctions__Backend");
        values["AzureWebJobsStorage"] = _azurite.ConnectionString;
        var hostJson = """
            {
              "version": "2.0",
              "logging": { "logLevel": { "default": "Information", "Microsoft.AspNetCore": "Warning", "System.Net.Http.HttpClient": "Warning" } },
              "extensions": {
                "durableTask": { "hubName": "CliTestsHub" },
                "queues": { "maxPollingInterval": "00:00:01" }
              }
            }
            """;
        _host = await HostProcess.StartAsync(values, hostJson);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}

/// <summary>agentfn against the real local host process: the commands a reviewer and an operator run.</summary>
public sealed partial class EndToEndTests(LocalHostFixture fixture) : IClassFixture<LocalHostFixture>
{
    private string Url => fixture.Host.BaseAddress.ToString();

    [Fact]
    public async Task AskThenApprove_RequireApproval_RunCompletesApproved()
    {
        var (askCode, asked) = await CliConsole.RunAsync(["ask", "What is a durable timer?", "--url", Url]);
        var id = SubmittedId().Match(asked).Groups[1].Value;

        var (approveCode, approved) = await CliConsole.RunAsync(
            ["approve", id, "--reviewer", "Ada Reviewer", "--comment", "Cited well."],
            new Dictionary<string, string> { ["AGENTFUNCTIONS_URL"] = Url, ["AGENTFUNCTIONS_WEBHOOK_SECRET"] = HostProcess.WebhookSecret });
        var status = await WaitForAsync($"/api/research/{id}", s => s["runtimeStatus"]?.GetValue<string>() == "Completed");
        var (statusCode, shown) = await CliConsole.RunAsync(["status", id, "--url", Url]);

        Assert.True(askCode == 0, asked);
        Assert.Contains("AwaitingApproval", asked, StringComparison.Ordinal);
        Assert.Contains("Draft: ", asked, StringComparison.Ordinal);
        Assert.Contains($"agentfn approve {id} --reviewer NAME", asked, StringComparison.Ordinal);
        Assert.True(approveCode == 0, approved);
        Assert.Contains($"approve accepted for {id} by Ada Reviewer", approved, StringComparison.Ordinal);
        Assert.Equal("Approved", status["output"]!["outcome"]!.GetValue<string>());
        Assert.Equal("Ada Reviewer", status["output"]!["review"]!["reviewer"]!.GetValue<string>());
        Assert.Equal(0, statusCode);
        Assert.Matches(@"Status +Completed *\r?\n", shown);
        Assert.Contains("Outcome   Approved", shown, StringComparison.Ordinal);
        Assert.Contains("Citations", shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approve_WrongSecret_Exits1WithTheProblemTitle()
    {
        var (_, asked) = await CliConsole.RunAsync(["ask", "Why keep an append-only history?", "--url", Url]);
        var id = SubmittedId().Match(asked).Groups[1].Value;

        var (exitCode, output) = await CliConsole.RunAsync(["reject", id, "--reviewer", "Mallory", "--secret", "not-the-secret", "--url", Url]);

        Assert.Equal(1, exitCode);
        Assert.Contains("401 Unauthorized: Invalid signature", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskNoApproval_FollowsToTheReportThenListsAndPurges()
    {
        var (askCode, asked) = await CliConsole.RunAsync(["ask", "How do durable timers survive restarts?", "--no-approval", "--url", Url]);
        var id = SubmittedId().Match(asked).Groups[1].Value;
        var (listCode, listed) = await CliConsole.RunAsync(["list", "--status", "Completed", "--json", "--url", Url]);
        var (purgeCode, purged) = await CliConsole.RunAsync(["purge", id, "--url", Url]);
        var (againCode, again) = await CliConsole.RunAsync(["purge", id, "--url", Url]);

        Assert.True(askCode == 0, asked);
        Assert.Contains("Outcome   NotReviewed", asked, StringComparison.Ordinal);
        Assert.Contains("[1] ", asked, StringComparison.Ordinal);
        Assert.Equal(0, listCode);
        Assert.Contains(JsonNode.Parse(listed)!.AsArray(), run => run!["instanceId"]!.GetValue<string>() == id);
        Assert.True(purgeCode == 0, purged);
        Assert.Equal(1, againCode);
        Assert.Contains("404 NotFound: Instance not found", again, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_JsonlFile_StartsBatchOrchestrationThatCompletes()
    {
        var batchId = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var file = Path.Combine(Path.GetTempPath(), $"{batchId}.jsonl");
        await File.WriteAllTextAsync(file, "\"What is event sourcing?\"\n{\"question\": \"Why do durable timers survive restarts?\", \"maxSources\": 3}\n");
        try
        {
            var (exitCode, output) = await CliConsole.RunAsync(
                ["batch", file, "--batch-id", batchId, "--url", Url], new Dictionary<string, string> { ["AzureWebJobsStorage"] = fixture.Azurite.ConnectionString });
            var status = await WaitForAsync($"/runtime/webhooks/durabletask/instances/batch-{batchId}", s => s["runtimeStatus"]?.GetValue<string>() == "Completed");

            Assert.True(exitCode == 0, output);
            Assert.Contains($"The host starts batch-{batchId}", output, StringComparison.Ordinal);
            Assert.Equal(2, status["output"]!["total"]!.GetValue<int>());
            Assert.Equal(0, status["output"]!["failed"]!.GetValue<int>());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex(@"Submitted (\S+)")]
    private static partial Regex SubmittedId();

    private async Task<JsonObject> WaitForAsync(string path, Func<JsonObject, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        JsonObject? last = null;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await fixture.Host.Client.GetAsync(new Uri(path, UriKind.Relative));
            if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted)
            {
                last = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
                if (done(last))
                {
                    return last;
                }
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{path} not done within 90 s; last: {last?.ToJsonString()}\nHost output:\n{fixture.Host.Output}");
    }
}
