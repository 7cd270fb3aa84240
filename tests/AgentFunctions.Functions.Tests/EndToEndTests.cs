using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using AgentFunctions.Functions.Functions;
using AgentFunctions.Host.Approvals;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentFunctions.Functions.Tests;

/// <summary>
/// The app's function classes on a real Durable Task engine in memory (<c>Microsoft.DurableTask.InProcessTestHost</c>):
/// its orchestrator and activity functions run the pipeline, its HTTP functions submit and approve with the engine's
/// client, with the app's own service registrations (offline model, local corpus).
/// </summary>
public sealed class EndToEndTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private IHost? _host;

    private DurableTaskClient Client => _host!.Services.GetRequiredService<DurableTaskClient>();

    public async Task InitializeAsync()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        FunctionServices.Add(builder.Services);

        // What the app's worker serializer gives the extension's worker and client (see FunctionsAppRegistration).
        builder.Services.AddSingleton<DataConverter>(ResearchJson.Converter);
        builder.Services.AddInMemoryDurableTask(
            registry => EngineFunctions.Register(registry, typeof(OrchestratorFunctions), typeof(ActivityFunctions)),
            new InMemoryDurableTaskOptions { Port = FreeLoopbackPort() });
        _host = builder.Build();
        await _host.StartAsync();
    }

    [Fact]
    public async Task SubmitThenApprove_ThroughTheFunctions_CompletesApproved()
    {
        var api = FunctionServices.Create<ResearchApiFunctions>(_host!.Services);
        var submit = HttpCalls.Post("/api/research", """{"question": "How do durable timers work?", "requireApproval": true}""");
        var submitted = await HttpCalls.ExecuteAsync(submit, await api.SubmitResearchAsync(submit, Client, CancellationToken.None));
        Assert.Equal(202, submitted.Status);
        var instanceId = submitted.Json["id"]!.GetValue<string>();

        await WaitForPhaseAsync(instanceId, nameof(ResearchPhase.AwaitingApproval));
        const string decision = """{"decision": "approve", "reviewer": "ana@example.test"}""";
        var approve = HttpCalls.Post($"/api/approvals/{instanceId}", decision, new Dictionary<string, string>
        {
            [WebhookSignature.SignatureHeader] = WebhookSignature.CreateHeader(FunctionServices.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), Encoding.UTF8.GetBytes(decision)),
            [WebhookSignature.DeliveryHeader] = "e2e-delivery-1",
        });
        var approved = await HttpCalls.ExecuteAsync(approve, await api.ReceiveReviewDecisionAsync(approve, instanceId, Client, CancellationToken.None));
        Assert.Equal(202, approved.Status);

        using var cts = new CancellationTokenSource(Limit);
        var done = await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, cts.Token);
        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{done.RuntimeStatus}: {done.FailureDetails}");
        var output = JsonNode.Parse(done.SerializedOutput!)!;
        Assert.Equal("Approved", output["outcome"]!.GetValue<string>());
        Assert.Equal("approve", output["review"]!["decision"]!.GetValue<string>());
        Assert.NotEmpty(output["report"]!["citations"]!.AsArray());
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _host.StopAsync(cts.Token);
            _host.Dispose();
        }
    }

    private async Task WaitForPhaseAsync(string instanceId, string phase)
    {
        using var cts = new CancellationTokenSource(Limit);
        while (true)
        {
            var state = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cts.Token);
            Assert.False(state?.IsCompleted == true, $"The run ended ({state?.RuntimeStatus}) before {phase}: {state?.FailureDetails}");
            if (state?.SerializedCustomStatus is { } status && JsonNode.Parse(status)?["phase"]?.GetValue<string>() == phase)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cts.Token);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
