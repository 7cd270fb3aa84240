using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentFunctions.Testing;
using Azure.Storage.Queues;

namespace AgentFunctions.Host.Tests;

/// <summary>The research-batch queue trigger of the real host, fed through a real Azurite.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class BatchQueueTriggerTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly QueueServiceClient _raw = AzuriteHost.RawQueues(azurite);

    public Task InitializeAsync() => AzuriteHost.ResetQueuesAsync(_raw);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task BatchMessage_SentWithJavaScriptSdk_StartsBatchThatCompletesEveryQuestion()
    {
        await using var host = await AzuriteHost.StartAsync(azurite.ConnectionString, AzuriteHost.NewHubName("batchjs"));
        var batchId = "js-" + Guid.NewGuid().ToString("N")[..8];
        var message = JsonSerializer.Serialize(new
        {
            batchId,
            questions = new object[]
            {
                "What is durable orchestration?",
                new { question = "How do durable timers survive restarts?", maxSources = 3 },
            },
            requireApproval = false,
        });

        var sent = await NodeScript.RunAsync(
            Path.Combine(AppContext.BaseDirectory, "Interop", "send-batch.mjs"),
            new Dictionary<string, string> { ["CONNECTION"] = azurite.ConnectionString, ["QUEUE"] = AzuriteHost.BatchQueue, ["TEXT"] = message },
            TimeSpan.FromSeconds(30));
        Assert.True(sent.ExitCode == 0, $"send-batch.mjs failed ({sent.ExitCode}):\n{sent.StandardError}\n{sent.StandardOutput}");
        var status = await HostApi.WaitForStatusAsync(host.Client, $"batch-{batchId}", "Completed");

        var output = status["output"]!.AsObject();
        Assert.Equal(2, output["total"]!.GetValue<int>());
        Assert.Equal(0, output["failed"]!.GetValue<int>());
        var items = output["items"]!.AsArray();
        Assert.Equal(
            ["What is durable orchestration?", "How do durable timers survive restarts?"],
            items.Select(i => i!["question"]!.GetValue<string>()));
        Assert.All(items, i => Assert.Equal("NotReviewed", i!["outcome"]!.GetValue<string>()));
        Assert.Contains($"Batch batch-{batchId} started with 2 questions", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BatchMessage_DeliveredTwice_StartsTheBatchOnce()
    {
        await using var host = await AzuriteHost.StartAsync(azurite.ConnectionString, AzuriteHost.NewHubName("batchdup"));
        var queue = AzuriteHost.Base64Queues(azurite).GetQueueClient(AzuriteHost.BatchQueue);
        var batchId = "dup-" + Guid.NewGuid().ToString("N")[..8];
        var message = JsonSerializer.Serialize(new { batchId, questions = new[] { "What is an event-sourced history?" }, requireApproval = false });
        await queue.SendMessageAsync(message);
        var first = await HostApi.WaitForStatusAsync(host.Client, $"batch-{batchId}", "Completed");

        await queue.SendMessageAsync(message);
        await AzuriteHost.WaitUntilAsync(
            async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0 && host.Output.Contains("already exists", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20),
            () => $"the redelivery was not deleted. Host output:\n{host.Output}");

        var after = await HostApi.StatusAsync(host.Client, $"batch-{batchId}", showHistory: true);
        Assert.Equal(first["createdTime"]!.GetValue<string>(), after!["createdTime"]!.GetValue<string>());
        Assert.Equal("Completed", after["runtimeStatus"]!.GetValue<string>());
        Assert.Single(after["historyEvents"]!.AsArray(), e => e!["EventType"]!.GetValue<string>() == "ExecutionStarted");
        Assert.Single(Lines(host.Output), l => l.Contains($"Batch batch-{batchId} started", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MalformedMessages_AfterMaxDequeueCount_MoveIntactToPoisonQueue()
    {
        await using var host = await AzuriteHost.StartAsync(azurite.ConnectionString, AzuriteHost.NewHubName("batchpoison"), maxDequeueCount: 2, visibilityTimeout: "00:00:01");
        var queue = _raw.GetQueueClient(AzuriteHost.BatchQueue);
        var poison = _raw.GetQueueClient(AzuriteHost.PoisonQueue);
        var notBase64 = "not json & not base64 <either>";
        var noQuestions = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"batchId\":\"noq-1\",\"requireApproval\":false}"));
        await queue.SendMessageAsync(notBase64);
        await queue.SendMessageAsync(noQuestions);

        static bool IsPoisonLine(string line) => line.Contains("moved to 'research-batch-poison' after 2 deliveries", StringComparison.Ordinal);
        await AzuriteHost.WaitUntilAsync(
            async () => (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount == 2 && Lines(host.Output).Count(IsPoisonLine) == 2,
            TimeSpan.FromSeconds(30),
            () => $"two messages did not reach the poison queue. Host output:\n{host.Output}");

        var poisoned = (await poison.PeekMessagesAsync(32)).Value;
        Assert.Equal(new[] { noQuestions, notBase64 }.Order(StringComparer.Ordinal), poisoned.Select(m => m.Body.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        var poisonLines = Lines(host.Output).Where(IsPoisonLine).ToList();
        Assert.Contains(poisonLines, l => l.Contains("(batch noq-1)", StringComparison.Ordinal) && l.Contains("questions is required", StringComparison.Ordinal));
        Assert.Contains(poisonLines, l => l.Contains("not base64-encoded", StringComparison.Ordinal));
        Assert.Null(await HostApi.StatusAsync(host.Client, "batch-noq-1"));
    }

    [Fact]
    public async Task OpsPage_MessagesWaitingAndPoisoned_ShowsQueueDepthAndPoisonCount()
    {
        await using var host = await AzuriteHost.StartAsync(azurite.ConnectionString, AzuriteHost.NewHubName("batchops"));
        var queue = _raw.GetQueueClient(AzuriteHost.BatchQueue);
        var poison = _raw.GetQueueClient(AzuriteHost.PoisonQueue);

        // Hidden for a minute, so the trigger cannot take it while the page is read; it still counts as waiting.
        await queue.SendMessageAsync("{\"batchId\":\"later\"}", visibilityTimeout: TimeSpan.FromMinutes(1));
        await poison.SendMessageAsync("poisoned one");
        await poison.SendMessageAsync("poisoned two");

        var html = await host.Client.GetStringAsync(new Uri("/ops", UriKind.Relative));

        Assert.Contains(
            "<div class=\"figure\" id=\"fig-queue\"><span>Batch queue</span><strong>1</strong><span class=\"muted small\">2 poison messages</span></div>",
            html,
            StringComparison.Ordinal);
    }

    private static string[] Lines(string output) => output.Split('\n');
}
