using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Durable;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;
using AgentFunctions.Testing;
using DurableTask.AzureStorage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Bench.Scenarios;

/// <summary>Research pipeline helpers shared by scenarios.</summary>
public static class ResearchScenarios
{
    /// <summary>
    /// The whole pipeline on the local host's engine (DurableTask.Core + the Azure Storage provider) on an Azurite of
    /// its own, in this process, with the host's local engine settings.
    /// </summary>
    internal sealed class PipelineBenchHost : IAsyncDisposable
    {
        private readonly AzuriteInstance _azurite;
        private readonly ServiceProvider _services;
        private readonly TaskHubEngine _engine;
        private readonly LocalDurableTaskClient _client;

        private PipelineBenchHost(AzuriteInstance azurite, ServiceProvider services, TaskHubEngine engine, LocalDurableTaskClient client)
        {
            _azurite = azurite;
            _services = services;
            _engine = engine;
            _client = client;
        }

        public static async Task<PipelineBenchHost> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
        {
            var azurite = await AzuriteInstance.StartNewAsync(inMemory: true);
            var services = new ServiceCollection();
            services.AddSingleton(TimeProvider.System);
            services.AddResearchPipeline(new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build());
            var provider = services.BuildServiceProvider();
            var hub = "eval" + Guid.NewGuid().ToString("N")[..12];
            var engineSettings = new DurableTaskHostSettings(hub, MaxConcurrentActivityFunctions: 10, MaxConcurrentOrchestratorFunctions: 100);
            var service = new AzureStorageOrchestrationService(
                TaskHubEngine.CreateSettings(engineSettings, new StorageAccountClientProvider(azurite.ConnectionString), NullLoggerFactory.Instance));
            var engine = new TaskHubEngine(
                service, ResearchPipeline.Register(new DurableTaskRegistry()), new DurableTaskWorkerOptions { DataConverter = ResearchJson.Converter },
                provider, NullLoggerFactory.Instance, hub);
            await engine.StartAsync(CancellationToken.None);
            return new PipelineBenchHost(azurite, provider, engine, new LocalDurableTaskClient(service, ResearchJson.Converter));
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
            await _engine.StopAsync(CancellationToken.None);
            await _engine.DisposeAsync();
            await _services.DisposeAsync();
            await _azurite.DisposeAsync();
        }
    }
}
