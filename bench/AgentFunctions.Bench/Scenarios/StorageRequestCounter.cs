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

    /// <summary>BENCH_COUNT_DETAIL=1: counts also by resource (table, queue or container), to see where requests go.</summary>
    private static readonly bool Detailed = Environment.GetEnvironmentVariable("BENCH_COUNT_DETAIL") == "1";

    /// <summary>The table, queue or container of a request path ("/account/name(...)/..."), the task hub's name left out.</summary>
    private static string Resource(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var name = segments.Length > 1 ? segments[1] : "-";
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        name = paren >= 0 ? name[..paren] : name;
        return name.Contains("control", StringComparison.OrdinalIgnoreCase) ? "control"
            : name.Contains("workitems", StringComparison.OrdinalIgnoreCase) ? "workitems"
            : name.EndsWith("History", StringComparison.Ordinal) ? "History"
            : name.EndsWith("Instances", StringComparison.Ordinal) ? "Instances"
            : name.EndsWith("Partitions", StringComparison.Ordinal) ? "Partitions"
            : name;
    }

    private void Count(string service, HttpMessage message)
    {
        Interlocked.Increment(ref _total);
        _byKind.AddOrUpdate(Detailed ? $"{service} {message.Request.Method} {Resource(message.Request.Uri.Path)}" : $"{service} {message.Request.Method}", 1, (_, n) => n + 1);
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
