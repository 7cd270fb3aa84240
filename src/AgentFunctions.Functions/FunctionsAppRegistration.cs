using AgentFunctions.Host;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Research.Orchestration;
using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentFunctions.Functions;

/// <summary>
/// Wires the Functions app: telemetry, the JSON form of durable values, the pipeline, the durable key stores and the
/// front door.
/// </summary>
public static class FunctionsAppRegistration
{
    /// <summary>Registers everything the app's functions resolve.</summary>
    /// <exception cref="HostConfigurationException">A setting is invalid; the worker does not start.</exception>
    public static FunctionsApplicationBuilder AddAgentFunctionsApp(this FunctionsApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
        builder.Services.AddAgentFunctionsServices(builder.Configuration);
        builder.UseMiddleware<ResponseHeadersMiddleware>();
        return builder;
    }

    /// <summary>The services of the app's functions, without the worker's own (tests build a provider from this).</summary>
    internal static IServiceCollection AddAgentFunctionsServices(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = WithPublicBaseUrl(HostSettings.Load(configuration), configuration["WEBSITE_HOSTNAME"]);

        // The Durable extension derives the worker's and the [DurableClient]'s data converter from the worker's
        // serializer (it post-configures both), so this is the one place to make the task hub hold ResearchJson's
        // form (camelCase, enums by name), the same form the local host writes.
        services.Configure<WorkerOptions>(options => options.Serializer = new JsonObjectSerializer(ResearchJson.Options));
        try
        {
            services.AddHostedResearchPipeline(configuration);
        }
        catch (ArgumentException ex)
        {
            // The pipeline's own settings (AgentFunctions:Research:*, AgentFunctions:Callbacks:*) name their key in the message.
            throw new HostConfigurationException($"Invalid setting: {ex.Message}", ex);
        }

        // The stores in AzureWebJobsStorage, next to the task hub, as the local host keeps them: a retried submission
        // or a repeated webhook delivery that lands on another worker instance is recognised there. Registered
        // before the front door, whose in-memory stores only fill in when none is registered.
        services.AddDurableKeyStores(settings, configuration);
        services.AddResearchFrontDoor(settings);
        return services;
    }

    /// <summary>
    /// Review links in notifications need the app's public address; the Functions host sets <c>WEBSITE_HOSTNAME</c>
    /// (the app's host name in Azure, <c>localhost:7071</c> under Core Tools), so it is the default when
    /// <c>AgentFunctions:Review:PublicBaseUrl</c> is not set.
    /// </summary>
    internal static HostSettings WithPublicBaseUrl(HostSettings settings, string? websiteHostName)
    {
        if (settings.Review.PublicBaseUrl is not null || string.IsNullOrWhiteSpace(websiteHostName))
        {
            return settings;
        }

        var scheme = websiteHostName.StartsWith("localhost", StringComparison.OrdinalIgnoreCase) || websiteHostName.StartsWith("127.0.0.1", StringComparison.Ordinal)
            ? Uri.UriSchemeHttp
            : Uri.UriSchemeHttps;
        return Uri.TryCreate($"{scheme}://{websiteHostName.Trim()}", UriKind.Absolute, out var uri)
            ? settings with { Review = settings.Review with { PublicBaseUrl = uri } }
            : throw new HostConfigurationException("WEBSITE_HOSTNAME", $"'{websiteHostName}' is not a host name.");
    }
}
