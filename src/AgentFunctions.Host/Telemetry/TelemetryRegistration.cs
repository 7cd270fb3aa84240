using AgentFunctions.Host.Configuration;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.ApplicationInsights.WorkerService;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AgentFunctions.Host.Telemetry;

/// <summary>
/// Telemetry as a Functions app sends it: Application Insights through <c>Microsoft.ApplicationInsights.WorkerService</c>
/// when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (logs of Warning and above, HTTP and Azure SDK dependencies,
/// performance counters, live metrics, and the spans of <see cref="TracedSources"/> through
/// <see cref="ActivitySourceTelemetryModule"/>), and, independently, traces and metrics over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. The OpenTelemetry providers are built with the SDK directly (the
/// OpenTelemetry hosting package is not available) and disposed with the host's container.
/// </summary>
public static class TelemetryRegistration
{
    /// <summary>The research pipeline's activity source and meter name.</summary>
    public const string ResearchSourceName = "AgentFunctions.Research";

    /// <summary>The Application Insights connection string setting, as Functions reads it.</summary>
    public const string ConnectionStringKey = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>The activity sources whose spans are exported: the runtime, the pipeline (agents and model calls), ASP.NET Core requests.</summary>
    public static IReadOnlyList<string> TracedSources { get; } = ["DurableTask.Core", "Microsoft.DurableTask", ResearchSourceName, "Microsoft.AspNetCore"];

    /// <summary>Adds the exporters that are configured and a hosted service that starts them.</summary>
    /// <exception cref="HostConfigurationException"><c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is malformed.</exception>
    public static IServiceCollection AddAgentFunctionsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var connectionString = configuration[ConnectionStringKey] is { Length: > 0 } value ? value.Trim() : null;
        if (!otlp && connectionString is null)
        {
            return services;
        }

        if (connectionString is not null)
        {
            AddApplicationInsights(services, configuration, connectionString);
        }

        if (otlp)
        {
            AddOtlp(services);
        }

        services.AddSingleton<IStartupFilter, RequestSpanTagging>();
        services.AddHostedService(sp => new TelemetryStarter(sp, otlp, connectionString is not null));
        return services;
    }

    private static void AddApplicationInsights(IServiceCollection services, IConfiguration configuration, string connectionString)
    {
        CheckConnectionString(connectionString);

        // The package binds APPLICATIONINSIGHTS_CONNECTION_STRING, APPINSIGHTS_DEVELOPER_MODE and the ApplicationInsights
        // section from the host's configuration (local.settings.json included) itself; these run after that binding.
        services.AddApplicationInsightsTelemetryWorkerService();
        services.Configure<ApplicationInsightsServiceOptions>(options =>
        {
            options.ConnectionString ??= connectionString;

            // That module asks the Azure VM metadata endpoint (169.254.169.254) about the machine at startup; a host
            // on a developer's machine is not an Azure VM, so it stays off unless the settings turn it on.
            if (configuration["ApplicationInsights:EnableAzureInstanceMetadataTelemetryModule"] is null)
            {
                options.EnableAzureInstanceMetadataTelemetryModule = false;
            }
        });
        services.AddSingleton<ITelemetryModule>(_ => new ActivitySourceTelemetryModule(TracedSources));
    }

    /// <summary>Fails startup on a connection string the SDK would reject later, naming the setting but not echoing it.</summary>
    private static void CheckConnectionString(string connectionString)
    {
        using var probe = new TelemetryConfiguration();
        try
        {
            probe.ConnectionString = connectionString;
        }
        catch (ArgumentException ex)
        {
            throw new HostConfigurationException(ConnectionStringKey, $"{ex.Message} Copy it from the Application Insights resource's Overview page.");
        }
    }

    private static void AddOtlp(IServiceCollection services)
    {
        services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .AddSource([.. TracedSources])
            .AddOtlpExporter()
            .Build());
        services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
            .AddMeter(ResearchSourceName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddOtlpExporter()
            .Build());
    }

    /// <summary>Resolves the exporters at startup so they listen from the first request on, and flushes them at shutdown.</summary>
    private sealed class TelemetryStarter(IServiceProvider services, bool otlp, bool appInsights) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (otlp)
            {
                _ = services.GetRequiredService<TracerProvider>();
                _ = services.GetRequiredService<MeterProvider>();
            }

            if (appInsights)
            {
                // Resolving the client builds the TelemetryConfiguration, which initializes every telemetry module.
                _ = services.GetRequiredService<TelemetryClient>();
            }

            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TelemetryRegistration).FullName!)
                .LogInformation("Telemetry export: OTLP {Otlp}, Application Insights {AppInsights}", otlp ? "on" : "off", appInsights ? "on" : "off");
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            services.GetService<TracerProvider>()?.ForceFlush(5000);
            services.GetService<MeterProvider>()?.ForceFlush(5000);
            if (services.GetService<TelemetryClient>() is { } client)
            {
                await client.FlushAsync(cancellationToken);
            }
        }
    }
}
