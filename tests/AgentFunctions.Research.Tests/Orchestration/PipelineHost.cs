using System.Net;
using System.Net.Sockets;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;
using AgentFunctions.Research.Publishing;
using AgentFunctions.Research.Review;
using AgentFunctions.Research.Search;
using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using Microsoft.DurableTask.Testing;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

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

    /// <summary>
    /// Worker and client use <see cref="ResearchJson.Converter"/> (as the local host does) instead of the SDK's default
    /// <see cref="JsonDataConverter"/> (what a host gets when it configures nothing).
    /// </summary>
    public bool ResearchJsonConverter { get; init; }

    /// <summary>Registers more orchestrators or activities beside the pipeline's.</summary>
    public Action<DurableTaskRegistry>? Register { get; init; }
}

/// <summary>
/// The pipeline on a real Durable Task engine in memory: <c>Microsoft.DurableTask.InProcessTestHost</c>'s engine and
/// gRPC sidecar, the SDK's gRPC worker and client, with recording fakes for the reviewer, the callback and the store.
/// </summary>
/// <remarks>
/// Built with the package's <c>AddInMemoryDurableTask</c> rather than <c>DurableTaskTestHost.StartAsync</c>: the latter
/// creates its engine privately, and the tests need the engine (<see cref="RecordingOrchestrationService"/>) to read the
/// histories and every committed custom status. Timers run on the wall clock, so waits here are short.
/// </remarks>
public sealed class PipelineHost : IAsyncDisposable
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    private readonly IHost _host;

    private PipelineHost(IHost host, DataConverter converter)
    {
        _host = host;
        Converter = converter;
        Client = host.Services.GetRequiredService<DurableTaskClient>();
        Engine = (RecordingOrchestrationService)host.Services.GetInMemoryOrchestrationService();
    }

    public DurableTaskClient Client { get; }

    public RecordingOrchestrationService Engine { get; }

    /// <summary>The converter worker and client use.</summary>
    public DataConverter Converter { get; }

    public IServiceProvider Services => _host.Services;

    public RecordingNotifier Notifier => (RecordingNotifier)_host.Services.GetRequiredService<IReviewNotifier>();

    public RecordingCallbackSender Callbacks => (RecordingCallbackSender)_host.Services.GetRequiredService<ICallbackSender>();

    public InMemoryReportStore Store => (InMemoryReportStore)_host.Services.GetRequiredService<IReportStore>();

    public static async Task<PipelineHost> StartAsync(PipelineSetup? setup = null)
    {
        setup ??= new PipelineSetup();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var services = builder.Services;
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(setup.Model ?? new ScriptedOfflineModel());
        services.AddSingleton(setup.Search ?? new FixtureSearch());
        services.AddSingleton<IReviewNotifier, RecordingNotifier>();
        services.AddSingleton<ICallbackSender>(setup.CallbackSender ?? new RecordingCallbackSender(setup.CallbackFailures));
        services.AddResearchPipeline(new ConfigurationBuilder().AddInMemoryCollection(setup.Settings ?? new Dictionary<string, string?>()).Build(), setup.Configure);
        DataConverter converter = JsonDataConverter.Default;
        if (setup.ResearchJsonConverter)
        {
            // Worker and client options take a registered DataConverter when none is set explicitly.
            services.AddSingleton<DataConverter>(ResearchJson.Converter);
            converter = ResearchJson.Converter;
        }

        services.AddInMemoryDurableTask(
            registry =>
            {
                ResearchPipeline.Register(registry);
                setup.Register?.Invoke(registry);
            },
            new InMemoryDurableTaskOptions { Port = FreeLoopbackPort() });

        // Registered last, so the sidecar and the services above resolve the recording engine.
        services.AddSingleton<InMemoryOrchestrationService>(sp => new RecordingOrchestrationService(sp.GetService<ILoggerFactory>()));
        var host = builder.Build();
        await host.StartAsync();
        return new PipelineHost(host, converter);
    }

    public Task<string> StartResearchAsync(ResearchRequest request, string instanceId = "run") =>
        Client.ScheduleNewOrchestrationInstanceAsync(nameof(ResearchOrchestrator), request, new StartOrchestrationOptions(instanceId));

    public async Task<OrchestrationMetadata> WaitForCompletionAsync(string instanceId, TimeSpan? limit = null)
    {
        using var cts = new CancellationTokenSource(limit ?? WaitLimit);
        return await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, cts.Token);
    }

    public async Task<ResearchResult> CompleteAsync(string instanceId, TimeSpan? limit = null)
    {
        var done = await WaitForCompletionAsync(instanceId, limit);
        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{done.RuntimeStatus}: {done.FailureDetails}");
        return done.ReadOutputAs<ResearchResult>()!;
    }

    /// <summary>Waits until the run reports <paramref name="phase"/> (or ends), returning its status.</summary>
    public async Task<ResearchStatus> WaitForPhaseAsync(string instanceId, ResearchPhase phase, Func<ResearchStatus, bool>? also = null)
    {
        using var cts = new CancellationTokenSource(WaitLimit);
        while (true)
        {
            var state = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cts.Token);
            if (state is not null)
            {
                Assert.False(
                    state.RuntimeStatus is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated,
                    $"The run ended ({state.RuntimeStatus}) before reaching {phase}: {state.FailureDetails}");
                if (Read(state.SerializedCustomStatus) is { } status && status.Phase == phase && (also?.Invoke(status) ?? true))
                {
                    return status;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25), cts.Token);
        }
    }

    /// <summary>Waits until the run has at least <paramref name="count"/> durable timers in its history.</summary>
    public async Task WaitForTimersAsync(string instanceId, int count)
    {
        using var cts = new CancellationTokenSource(WaitLimit);
        while (Engine.HistoryOf(instanceId).Count(e => e is TimerCreatedEvent) < count)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(25), cts.Token);
        }
    }

    public Task DecideAsync(string instanceId, string decision, string? comment = null) =>
        Client.RaiseEventAsync(instanceId, ReviewDecision.EventName, new ReviewDecision(decision, "reviewer@example.test", comment, DateTimeOffset.UtcNow));

    public IReadOnlyList<ResearchStatus> StatusesOf(string instanceId) => [.. Engine.StatusesOf(instanceId).Select(s => Read(s)!)];

    public IReadOnlyList<ResearchPhase> PhasesOf(string instanceId) =>
        [.. StatusesOf(instanceId).Select(s => s.Phase).Aggregate(new List<ResearchPhase>(), (acc, p) => { if (acc.Count == 0 || acc[^1] != p) { acc.Add(p); } return acc; })];

    public ResearchStatus? Read(string? json) => Converter.Deserialize<ResearchStatus>(json);

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _host.StopAsync(cts.Token);
        _host.Dispose();
    }

    /// <summary>A loopback port free right now: the package would otherwise pick one at random from 30000-40000.</summary>
    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
