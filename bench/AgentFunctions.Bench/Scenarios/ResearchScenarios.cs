using System.Diagnostics;
using AgentFunctions.Durable;
using AgentFunctions.Durable.InMemory;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Bench.Scenarios;

/// <summary>
/// The research pipeline end to end on the in-memory runtime with the offline model and the local corpus, no
/// approval: every phase, every activity and every agent's prompt/parse/validate path runs; only the network is absent.
/// </summary>
public static class ResearchScenarios
{
    private static readonly string[] s_questions =
    [
        "If a workflow host crashes in the middle of a multi-day process, how does the engine carry on without redoing completed work?",
        "How can instructions hidden in web pages or retrieved documents hijack an AI agent, and which defences lower the attack success rate?",
        "What happens inside a coral when ocean water gets too warm, and why does it turn white?",
        "How do ETags and conditional requests let a cache revalidate content?",
    ];

    /// <summary>R1: sequential full runs; p50/p95 end-to-end latency (schedule to completion).</summary>
    public static async Task<IReadOnlyList<BenchResult>> SequentialLatencyAsync(int runs)
    {
        await using var host = await PipelineBenchHost.StartAsync();
        for (var i = 0; i < 20; i++)
        {
            await host.RunOnceAsync($"warm-{i}", s_questions[i % s_questions.Length]); // JIT, corpus index, regexes
        }

        var latencies = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await host.RunOnceAsync($"r1-{i}", s_questions[i % s_questions.Length]);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var p50 = Stats.Median(latencies);
        var p95 = Stats.Percentile(latencies, 95);
        return
        [
            new("R1 research sequential", $"{runs} full runs, p50 end-to-end", p50, "ms", "< 50", p50 < 50, "offline model, corpus, no approval"),
            new("R1 research sequential", $"{runs} full runs, p95 end-to-end", p95, "ms", "", null, $"max {latencies.Max():N1} ms"),
        ];
    }

    /// <summary>R2: concurrent full runs; wall time from first schedule to last completion.</summary>
    public static async Task<IReadOnlyList<BenchResult>> ConcurrentRunsAsync(int runs)
    {
        await using var host = await PipelineBenchHost.StartAsync();
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => host.RunOnceAsync($"warm-{i}", s_questions[i % s_questions.Length])));

        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, runs).Select(i => host.RunOnceAsync($"r2-{i}", s_questions[i % s_questions.Length])));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return [new("R2 research concurrent", $"{runs} concurrent full runs, wall time", seconds, "s", "< 5", seconds < 5, $"{runs / seconds:N1} runs/s")];
    }

    /// <summary>The pipeline on the in-memory engine; <see cref="EvalScenarios"/> runs the evaluation sets on it too.</summary>
    internal sealed class PipelineBenchHost : IAsyncDisposable
    {
        private readonly ServiceProvider _services;
        private readonly InMemoryOrchestrationBackend _backend;
        private readonly DurableTaskWorker _worker;
        private readonly DurableTaskClient _client;

        private PipelineBenchHost(ServiceProvider services, InMemoryOrchestrationBackend backend, DurableTaskWorker worker, DurableTaskClient client)
        {
            _services = services;
            _backend = backend;
            _worker = worker;
            _client = client;
        }

        public static async Task<PipelineBenchHost> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
        {
            var services = new ServiceCollection();
            services.AddResearchPipeline(new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build());
            var provider = services.BuildServiceProvider();
            var registry = ResearchPipeline.Register(new DurableTaskRegistry());
            var backend = new InMemoryOrchestrationBackend();
            var worker = new DurableTaskWorker(backend, registry, provider);
            await worker.StartAsync(CancellationToken.None);
            return new PipelineBenchHost(provider, backend, worker, new DurableTaskClient(backend, registry));
        }

        public async Task RunOnceAsync(string instanceId, string question)
        {
            await _client.ScheduleNewOrchestrationInstanceAsync(
                nameof(ResearchOrchestrator), new ResearchRequest(question, RequireApproval: false), new StartOrchestrationOptions(instanceId));
            var done = await _client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true);
            var result = done.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? done.ReadOutputAs<ResearchResult>() : null;
            if (result is null || result.Outcome != ResearchOutcome.NotReviewed || result.Report is null)
            {
                throw new InvalidOperationException($"{instanceId} ended {done.RuntimeStatus} ({result?.Outcome}): {done.FailureDetails}");
            }
        }

        /// <summary>Runs one request to completion; null when the run did not complete.</summary>
        public async Task<ResearchResult?> RunAsync(string instanceId, ResearchRequest request)
        {
            await _client.ScheduleNewOrchestrationInstanceAsync(nameof(ResearchOrchestrator), request, new StartOrchestrationOptions(instanceId));
            var done = await _client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true);
            return done.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? done.ReadOutputAs<ResearchResult>() : null;
        }

        public async ValueTask DisposeAsync()
        {
            await _worker.StopAsync(CancellationToken.None);
            await _backend.DisposeAsync();
            await _services.DisposeAsync();
        }
    }
}
