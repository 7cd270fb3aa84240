using AgentFunctions.Host.Configuration;
using AgentFunctions.Research.Publishing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Host.Hosting;

/// <summary>Says at startup what the host runs on and where, and warns about settings that weaken it.</summary>
internal sealed class StartupReport(IServiceProvider services, HostSettings settings, bool linkSecretGenerated) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("AgentFunctions.Host");

        // The operations view's recorder listens to the pipeline's meter from the moment it exists: create it now.
        _ = services.GetService<AgentFunctions.Host.Operations.IOperationsSnapshotSource>();
        logger.LogInformation(
            "Task hub '{HubName}' on Azure Storage (AzureWebJobsStorage); queue trigger on 'research-batch' (messages start batch-<batchId>; poison queue 'research-batch-poison').",
            settings.DurableTask.HubName);
        if (services.GetService<StorageConnection>() is { } storage)
        {
            logger.LogInformation("AzureWebJobsStorage: {Storage}", storage.Description);
        }

        logger.LogInformation(
            settings.Keys.Enabled
                ? "Function keys configured: /api/* needs a function key, the management API a system key."
                : "No function keys configured: listening on loopback only and serving without keys.");
        if (linkSecretGenerated)
        {
            logger.LogWarning("AgentFunctions:Review:LinkSecret is not set; a random one was generated, so review links stop working when the host restarts.");
        }

        if (settings.Review.WebhookSecrets.Count == 0)
        {
            logger.LogWarning("AgentFunctions:Review:WebhookSecret is not set; the reviewer webhook rejects every delivery (401). The review page still works.");
        }

        var callbacks = services.GetRequiredService<CallbackUrlPolicy>();
        if (callbacks.AllowsPrivateNetworks || callbacks.AllowsHttp)
        {
            logger.LogWarning(
                "Callbacks may go to {Targets}: fine for local development, a request forgery risk anywhere a stranger can submit. Unset {PrivateKey} and {HttpKey} in production.",
                callbacks.AllowsPrivateNetworks && callbacks.AllowsHttp ? "private and loopback addresses over plain http"
                    : callbacks.AllowsPrivateNetworks ? "private and loopback addresses" : "plain http URLs",
                CallbackUrlPolicyOptions.AllowPrivateNetworksKey,
                CallbackUrlPolicyOptions.AllowHttpKey);
        }

        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var address in addresses)
            {
                logger.LogInformation("AgentFunctions host listening on {Url} (review page: {Url}/, health: {Url}/healthz)", address, address, address);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
