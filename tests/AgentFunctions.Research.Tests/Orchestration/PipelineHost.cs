using System.Text.Json;
using AgentFunctions.Durable;
using AgentFunctions.Durable.Testing;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;
using AgentFunctions.Research.Publishing;
using AgentFunctions.Research.Review;
using AgentFunctions.Research.Search;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Research.Tests.Orchestration;

/// <summary>What a test host runs with; every part has a working default.</summary>
public sealed record PipelineSetup
{
    public IChatClient? Model { get; init; }

    public ISearchProvider? Search { get; init; }

    public int CallbackFailures { get; init; }

    /// <summary>Replaces the recording callback sender (then <see cref="PipelineHost.Callbacks"/> is not available).</summary>
    public ICallbackSender? CallbackSender { get; init; }

    public Action<ResearchPipelineOptions>? Configure { get; init; }

    /// <summary>Configuration values the pipeline is added with (e.g. <c>AgentFunctions:Callbacks:*</c>).</summary>
    public IReadOnlyDictionary<string, string?>? Settings { get; init; }
}

/// <summary>The pipeline on the real worker, the in-memory backend and a manual clock, with recording fakes.</summary>
public sealed class PipelineHost : IAsyncDisposable
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private readonly ServiceProvider _services;

    private PipelineHost(ServiceProvider services, RecordingBackend backend, ManualTimeProvider time, DurableTaskRegistry registry, DurableTaskWorker worker)
    {
        _services = services;
        Backend = backend;
        Time = time;
        Worker = worker;
        Client = new DurableTaskClient(backend, registry, timeProvider: time);
    }

    public RecordingBackend Backend { get; }

    public ManualTimeProvider Time { get; }

    public DurableTaskWorker Worker { get; }

    public DurableTaskClient Client { get; }

    public RecordingNotifier Notifier => (RecordingNotifier)_services.GetRequiredService<IReviewNotifier>();

    public RecordingCallbackSender Callbacks => (RecordingCallbackSender)_services.GetRequiredService<ICallbackSender>();

    public InMemoryReportStore Store => (InMemoryReportStore)_services.GetRequiredService<IReportStore>();

    public static async Task<PipelineHost> StartAsync(PipelineSetup? setup = null, bool serial = false)
    {
        setup ??= new PipelineSetup();
        var time = new ManualTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton(setup.Model ?? new ScriptedOfflineModel());
        services.AddSingleton(setup.Search ?? new FixtureSearch());
        services.AddSingleton<IReviewNotifier, RecordingNotifier>();
        services.AddSingleton<ICallbackSender>(setup.CallbackSender ?? new RecordingCallbackSender(setup.CallbackFailures));
        services.AddResearchPipeline(new ConfigurationBuilder().AddInMemoryCollection(setup.Settings ?? new Dictionary<string, string?>()).Build(), setup.Configure);
        var provider = services.BuildServiceProvider();

        var backend = new RecordingBackend(time);
        var registry = ResearchPipeline.Register(new DurableTaskRegistry());
        var options = serial ? new DurableTaskWorkerOptions { MaxConcurrentActivities = 1, MaxConcurrentOrchestrations = 1 } : new DurableTaskWorkerOptions();
        var worker = new DurableTaskWorker(backend, registry, provider, options, timeProvider: time);
        await worker.StartAsync(CancellationToken.None);
        return new PipelineHost(provider, backend, time, registry, worker);
    }

    public Task<string> StartResearchAsync(ResearchRequest request, string instanceId = "run") =>
        Client.ScheduleNewOrchestrationInstanceAsync(nameof(ResearchOrchestrator), request, new StartOrchestrationOptions(instanceId));

    public async Task<OrchestrationMetadata> WaitForCompletionAsync(string instanceId)
    {
        using var cts = new CancellationTokenSource(WaitLimit);
        return await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, cts.Token);
    }

    public async Task<ResearchResult> CompleteAsync(string instanceId)
    {
        var done = await WaitForCompletionAsync(instanceId);
        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{done.RuntimeStatus}: {done.FailureDetails}");
        return done.ReadOutputAs<ResearchResult>()!;
    }

    /// <summary>Waits until the run reports <paramref name="phase"/> (or ends), returning its status.</summary>
    public async Task<ResearchStatus> WaitForPhaseAsync(string instanceId, ResearchPhase phase, Func<ResearchStatus, bool>? also = null)
    {
        using var cts = new CancellationTokenSource(WaitLimit);
        var state = await Client.WaitForAsync(instanceId, true, s =>
            s.RuntimeStatus.IsTerminal() || (Read(s.CustomStatus) is { } status && status.Phase == phase && (also?.Invoke(status) ?? true)), cts.Token);
        Assert.False(state.RuntimeStatus.IsTerminal(), $"The run ended ({state.RuntimeStatus}) before reaching {phase}: {state.FailureDetails}");
        return Read(state.SerializedCustomStatus)!;
    }

    /// <summary>Waits until the run has at least <paramref name="count"/> durable timers in its history.</summary>
    public async Task WaitForTimersAsync(string instanceId, int count)
    {
        using var cts = new CancellationTokenSource(WaitLimit);
        while ((await Backend.GetHistoryAsync(instanceId, cts.Token)).Count(e => e is Durable.History.TimerCreatedEvent) < count)
        {
            await Backend.WaitForStateChangeAsync(instanceId, TimeSpan.FromMilliseconds(20), cts.Token);
        }
    }

    public Task DecideAsync(string instanceId, string decision, string? comment = null) =>
        Client.RaiseEventAsync(instanceId, ReviewDecision.EventName, new ReviewDecision(decision, "reviewer@example.test", comment, Time.GetUtcNow()));

    public IReadOnlyList<ResearchStatus> StatusesOf(string instanceId) => [.. Backend.StatusesOf(instanceId).Select(s => Read(s)!)];

    public IReadOnlyList<ResearchPhase> PhasesOf(string instanceId) =>
        [.. StatusesOf(instanceId).Select(s => s.Phase).Aggregate(new List<ResearchPhase>(), (acc, p) => { if (acc.Count == 0 || acc[^1] != p) { acc.Add(p); } return acc; })];

    public static ResearchStatus? Read(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<ResearchStatus>(json, DataConverter.Default.Options);

    public async ValueTask DisposeAsync()
    {
        await Worker.StopAsync(CancellationToken.None);
        await Backend.DisposeAsync();
        await _services.DisposeAsync();
    }
}
