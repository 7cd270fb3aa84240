using System.Text.Json.Nodes;
using AgentFunctions.Testing;
using Azure.Storage.Queues;

namespace AgentFunctions.Host.Tests;

/// <summary>Starts the real host on an Azurite task hub, and reaches the same Azurite's queues directly.</summary>
public static class AzuriteHost
{
    public const string BatchQueue = "research-batch";
    public const string PoisonQueue = "research-batch-poison";

    /// <summary>A task hub name unique to one test (letters and digits only).</summary>
    public static string NewHubName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    /// <summary>
    /// Starts a host with the AzureStorage backend on <paramref name="connectionString"/>, task hub
    /// <paramref name="hubName"/>, polling the batch queue at least once a second.
    /// </summary>
    /// <param name="controlQueueBufferThreshold">host.json's durableTask.storageProvider.controlQueueBufferThreshold; null for the default.</param>
    public static Task<HostProcess> StartAsync(
        string connectionString, string hubName, int maxDequeueCount = 5, string visibilityTimeout = "00:00:02", int? controlQueueBufferThreshold = null)
    {
        var values = HostProcess.DefaultValues();
        values["AzureWebJobsStorage"] = connectionString;
        var hostJson = new JsonObject
        {
            ["version"] = "2.0",
            ["logging"] = new JsonObject { ["logLevel"] = new JsonObject { ["default"] = "Information", ["Microsoft.AspNetCore"] = "Warning", ["System.Net.Http.HttpClient"] = "Warning" } },
            ["extensions"] = new JsonObject
            {
                ["durableTask"] = new JsonObject
                {
                    ["hubName"] = hubName,
                    ["maxConcurrentActivityFunctions"] = 4,
                    ["maxConcurrentOrchestratorFunctions"] = 50,
                    ["storageProvider"] = new JsonObject { ["controlQueueBufferThreshold"] = controlQueueBufferThreshold ?? 256 },
                },
                ["queues"] = new JsonObject
                {
                    ["batchSize"] = 8,
                    ["maxDequeueCount"] = maxDequeueCount,
                    ["visibilityTimeout"] = visibilityTimeout,
                    ["maxPollingInterval"] = "00:00:01",
                    ["messageEncoding"] = "base64",
                },
            },
        };
        return HostProcess.StartAsync(values, hostJson.ToJsonString());
    }

    /// <summary>A client that sends and reads message text exactly as stored (no encoding).</summary>
    public static QueueServiceClient RawQueues(AzuriteFixture azurite) =>
        new(azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });

    /// <summary>A client that base64-encodes message text, as Functions' queue output bindings do by default.</summary>
    public static QueueServiceClient Base64Queues(AzuriteFixture azurite) =>
        new(azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>Empties both batch queues so a test sees only its own messages (the names are fixed by the host).</summary>
    public static async Task ResetQueuesAsync(QueueServiceClient account)
    {
        foreach (var name in new[] { BatchQueue, PoisonQueue })
        {
            var queue = account.GetQueueClient(name);
            await queue.CreateIfNotExistsAsync();
            await queue.ClearMessagesAsync();
        }
    }

    /// <summary>Table client options that give up on an unreachable service within about a second (one retry).</summary>
    public static Azure.Data.Tables.TableClientOptions FastFailing()
    {
        var options = new Azure.Data.Tables.TableClientOptions();
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(1);
        return options;
    }

    /// <summary>Polls until <paramref name="condition"/> holds, at most <paramref name="limit"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Not reached within {limit}: {describe()}");
    }
}
