using AgentFunctions.Host.Durable;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using AgentFunctions.Host.Approvals;
using AgentFunctions.Host.Batch;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Health;
using AgentFunctions.Host.Management;
using AgentFunctions.Host.Research;
using AgentFunctions.Host.Review;
using AgentFunctions.Host.Telemetry;
using AgentFunctions.Research.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace AgentFunctions.Host.Hosting;

/// <summary>Wires the local Functions host: settings, backend, pipeline, HTTP surface, telemetry.</summary>
public static class AgentFunctionsHostExtensions
{
    /// <summary>Validates settings, chooses listen addresses, and registers every service of the host.</summary>
    /// <exception cref="HostConfigurationException">A setting is invalid, or keys are missing for a non-loopback address.</exception>
    public static WebApplicationBuilder AddAgentFunctionsHost(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var settings = HostSettings.Load(configuration);
        var urls = ListenAddresses.Resolve(configuration, settings.Keys);
        builder.WebHost.UseUrls(urls);

        builder.Logging.ClearProviders();
        if (settings.LogFormat == LogFormat.Json)
        {
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }
        else
        {
            // Scopes carry the InstanceId, so every line about a run names it.
            builder.Logging.AddConsole(o => o.FormatterName = RunConsoleFormatter.FormatterName)
                .AddConsoleFormatter<RunConsoleFormatter, ConsoleFormatterOptions>();
        }

        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddProblemDetails();
        services.AddExceptionHandler<StorageUnavailableHandler>();
        services.AddDurableBackend(settings, configuration);
        try
        {
            services.AddHostedResearchPipeline(configuration);
        }
        catch (InvalidSettingException ex)
        {
            // The pipeline's own settings: AgentFunctions:Research:*, AgentFunctions:Callbacks:*, the model and search providers.
            throw new HostConfigurationException(ex.Key, ex.Problem);
        }
        catch (ArgumentException ex)
        {
            // Model settings (AZURE_OPENAI_*) checked by the provider factory already say "Invalid setting '<key>'".
            throw new HostConfigurationException(
                ex.Message.StartsWith("Invalid setting", StringComparison.Ordinal) ? ex.Message : $"Invalid setting: {ex.Message}", ex);
        }


        services.AddResearchFrontDoor(settings);
        var linkSecretGenerated = settings.Review.LinkSecret is null;
        services.AddSingleton<ReviewDecisionGate>();
        services.AddReviewPages();
        services.AddSingleton<ResearchSubmitter>();
        services.AddAgentFunctionsTelemetry(configuration);
        services.AddBatchQueueTrigger(settings, configuration);
        services.AddHostedService(sp => new StartupReport(sp, settings, linkSecretGenerated));
        return builder;
    }

    /// <summary>Maps the HTTP surface: research API, reviewer webhook, management API, review pages, health.</summary>
    public static WebApplication MapAgentFunctionsApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.Use(async (context, next) =>
        {
            ResponseHeaders.Apply(context);
            await next(context);
        });
        app.MapResearchApi().MapGet("/{instanceId}", (HttpRequest request, string instanceId, DurableTaskClient client, CancellationToken ct) =>
            ManagementApi.GetStatusAsync(request, instanceId, client, showInput: true, showHistory: false, showHistoryOutput: false, ct));
        app.MapApprovalsApi();
        app.MapDurableManagementApi();
        app.MapReviewPages();
        app.MapHealthApi();
        return app;
    }
}
