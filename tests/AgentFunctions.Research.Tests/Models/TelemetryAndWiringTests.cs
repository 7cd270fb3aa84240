using AgentFunctions.Research.Agents;
using AgentFunctions.Research.Models;
using AgentFunctions.Research.Telemetry;
using AgentFunctions.Research.Tests.Agents;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Research.Tests.Models;

public sealed class TelemetryAndWiringTests
{
    [Fact]
    public void Snapshot_HandFedSamples_ComputesPercentilesAndFailureRate()
    {
        using var recorder = new AgentStatsRecorder(capacity: 100, listen: false);
        for (var i = 1; i <= 100; i++)
        {
            recorder.Record("planner", TimeSpan.FromMilliseconds(i), outputTokens: i * 10, failed: i % 10 == 0);
        }

        var stats = Assert.Single(recorder.Snapshot());

        Assert.Equal(("planner", 100, 50.0, 95.0, 99.0, 500.0, 0.1), (stats.Agent, stats.Samples, stats.LatencyP50Ms, stats.LatencyP95Ms, stats.LatencyP99Ms, stats.OutputTokensP50, stats.FailureRate));
    }

    [Fact]
    public void SnapshotOfPeriod_OlderSamples_AreLeftOutAndSubMillisecondLatencyKept()
    {
        var clock = new ManualTimeProvider();
        using var recorder = new AgentStatsRecorder(capacity: 100, listen: false, time: clock);
        recorder.Record("planner", TimeSpan.FromSeconds(30), 100, failed: true);
        recorder.Record("validator", TimeSpan.FromSeconds(30), 100, failed: false);
        clock.Advance(TimeSpan.FromMinutes(90));
        recorder.Record("planner", TimeSpan.FromMilliseconds(0.25), 7, failed: false);
        recorder.Record("planner", TimeSpan.FromMilliseconds(0.75), 9, failed: false);

        var stats = Assert.Single(recorder.Snapshot(TimeSpan.FromHours(1)));
        var samples = recorder.Samples(TimeSpan.FromHours(1));

        Assert.Equal(("planner", 2, 3L, 0.25, 0.75, 7.0, 0.0), (stats.Agent, stats.Samples, stats.TotalCalls, stats.LatencyP50Ms, stats.LatencyP99Ms, stats.OutputTokensP50, stats.FailureRate));
        Assert.Equal([0.25, 0.75], samples.Select(s => s.LatencyMs));
        Assert.Equal(2, recorder.Snapshot().Count);
    }

    [Fact]
    public void Snapshot_MoreSamplesThanCapacity_KeepsOnlyTheLatest()
    {
        using var recorder = new AgentStatsRecorder(capacity: 10, listen: false);
        for (var i = 1; i <= 25; i++)
        {
            recorder.Record("synthesizer", TimeSpan.FromMilliseconds(i), 1, failed: false);
        }

        var stats = Assert.Single(recorder.Snapshot());

        Assert.Equal((10, 25L, 20.0), (stats.Samples, stats.TotalCalls, stats.LatencyP50Ms));
    }

    [Fact]
    public async Task Recorder_Listening_SeesAgentInvocationsThroughTheMeter()
    {
        using var recorder = new AgentStatsRecorder();

        await new PlannerAgent(new OfflineChatClient()).PlanAsync(Samples.Question, 2);

        var planner = Assert.Single(recorder.Snapshot(), s => s.Agent == AgentNames.Planner);
        Assert.True(planner.Samples >= 1);
        Assert.True(planner.OutputTokensP50 > 0);
    }

    [Fact]
    public async Task AddResearchAgents_NoEndpoint_ResolvesOfflineModelBehindBreakerAndWorkingAgents()
    {
        using var provider = new ServiceCollection()
            .AddResearchAgents(ModelProviderSettings.From(_ => null), o => o.Breaker.FailureThreshold = 7)
            .BuildServiceProvider();

        var client = provider.GetRequiredService<IChatClient>();
        var plan = await provider.GetRequiredService<PlannerAgent>().PlanAsync(Samples.Question, 2);

        var resilient = client.GetService<ResilientChatClient>();
        Assert.NotNull(resilient);
        Assert.IsType<OfflineChatClient>(resilient.GetService(typeof(OfflineChatClient)));
        Assert.Same(provider.GetRequiredService<ModelCircuitBreaker>(), resilient.Breaker);
        Assert.NotNull(client.GetService<RetryAfterChatClient>());
        Assert.NotEmpty(plan.Value.SubQueries);
        Assert.NotNull(provider.GetRequiredService<SourceValidatorAgent>());
        Assert.NotNull(provider.GetRequiredService<SynthesizerAgent>());
        Assert.NotNull(provider.GetRequiredService<CitationCheckerAgent>());
        Assert.NotNull(provider.GetRequiredService<AgentStatsRecorder>());
    }
}
