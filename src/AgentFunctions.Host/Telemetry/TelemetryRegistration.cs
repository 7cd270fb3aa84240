using AgentFunctions.Host.Durable;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AgentFunctions.Host.Telemetry;

/// <summary>
/// Traces and metrics of the runtime (<c>AgentFunctions.Durable</c>), the pipeline
/// (<c>AgentFunctions.Research</c>) and ASP.NET Core's own request spans, exported over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set and to Application Insights when
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set. The providers are built with the SDK directly
/// (the OpenTelemetry hosting package is not available) and disposed with the host's container.
/// </summary>
public static class TelemetryRegistration
{
    /// <summary>The research pipeline's activity source and meter name.</summary>
    public const string ResearchSourceName = "AgentFunctions.Research";

    /// <summary>Adds the providers (when any exporter is configured) and a hosted service that starts them.</summary>
    public static IServiceCollection AddAgentFunctionsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var appInsights = configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"] is { Length: > 0 } connectionString ? connectionString : null;
        if (!otlp && appInsights is null)
        {
            return services;
        }

        if (appInsights is not null)
        {
            services.AddSingleton(_ =>
            {
                var config = TelemetryConfiguration.CreateDefault();
                config.ConnectionString = appInsights;
                return config;
            });
            services.AddSingleton(sp => new TelemetryClient(sp.GetRequiredService<TelemetryConfiguration>()));
        }

        services.AddSingleton(sp =>
        {
            var builder = Sdk.CreateTracerProviderBuilder()
                .AddSource("DurableTask.Core", "Microsoft.DurableTask", ResearchSourceName, "Microsoft.AspNetCore");
            if (otlp)
            {
                builder.AddOtlpExporter();
            }

            if (appInsights is not null)
            {
                builder.AddProcessor(new BatchActivityExportProcessor(new ApplicationInsightsSpanExporter(sp.GetRequiredService<TelemetryClient>())));
            }

            return builder.Build();
        });
        services.AddSingleton(_ =>
        {
            var builder = Sdk.CreateMeterProviderBuilder()
                .AddMeter(ResearchSourceName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel");
            if (otlp)
            {
                builder.AddOtlpExporter();
            }

            // Application Insights gets spans and logs; metrics go over OTLP only (no AI metric exporter here).
            return builder.Build();
        });
        services.AddHostedService(sp => new TelemetryStarter(sp, otlp, appInsights is not null));
        return services;
    }

    /// <summary>Resolves the providers at startup so they listen from the first request on.</summary>
    private sealed class TelemetryStarter(IServiceProvider services, bool otlp, bool appInsights) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetRequiredService<TracerProvider>();
            _ = services.GetRequiredService<MeterProvider>();
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TelemetryRegistration).FullName!)
                .LogInformation("Telemetry export: OTLP {Otlp}, Application Insights {AppInsights}", otlp ? "on" : "off", appInsights ? "on" : "off");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            services.GetService<TracerProvider>()?.ForceFlush(5000);
            services.GetService<MeterProvider>()?.ForceFlush(5000);
            return Task.CompletedTask;
        }
    }
}
