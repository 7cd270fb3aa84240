using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DurableTask.AzureStorage;

namespace AgentFunctions.Bench.Scenarios;

/// <summary>
/// Counts every storage request the engine's Azure SDK clients send (retries included: the policy sits per retry),
/// by service and HTTP method, through the provider's client options. Requests of other processes are not seen.
/// </summary>
public sealed class StorageRequestCounter
{
    private readonly ConcurrentDictionary<string, long> _byKind = new(StringComparer.Ordinal);
    private long _total;

    /// <summary>Requests sent so far.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>Requests by "service method" (e.g. "queue GET"), so far.</summary>
    public IReadOnlyDictionary<string, long> ByKind => new Dictionary<string, long>(_byKind, StringComparer.Ordinal);

    /// <summary>A provider for <paramref name="connectionString"/> whose blob, queue and table clients all go through this counter.</summary>
    public StorageAccountClientProvider CreateProvider(string connectionString)
    {
        var blob = new BlobClientOptions();
        blob.AddPolicy(new Tagged(this, "blob"), HttpPipelinePosition.PerRetry);
        var queue = new QueueClientOptions();
        queue.AddPolicy(new Tagged(this, "queue"), HttpPipelinePosition.PerRetry);
        var table = new TableClientOptions();
        table.AddPolicy(new Tagged(this, "table"), HttpPipelinePosition.PerRetry);
        return new StorageAccountClientProvider(
            StorageServiceClientProvider.ForBlob(connectionString, blob),
            StorageServiceClientProvider.ForQueue(connectionString, queue),
            StorageServiceClientProvider.ForTable(connectionString, table));
    }

    private void Count(string service, HttpMessage message)
    {
        Interlocked.Increment(ref _total);
        _byKind.AddOrUpdate($"{service} {message.Request.Method}", 1, (_, n) => n + 1);
    }

    /// <summary>The counter as one service's policy, so the counts carry the service's name.</summary>
    private sealed class Tagged(StorageRequestCounter counter, string service) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            counter.Count(service, message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            counter.Count(service, message);
            return ProcessNextAsync(message, pipeline);
        }
    }
}
