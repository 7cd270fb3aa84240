using Microsoft.ApplicationInsights.Extensibility;

namespace AgentFunctions.Host.Configuration;

/// <summary>
/// The telemetry exporters' settings, checked at startup: the exporters are built when the host starts and would
/// otherwise fail then with an exception of their own rather than the key to fix.
/// </summary>
/// <param name="OtlpEndpoint"><c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, if set.</param>
/// <param name="ApplicationInsightsConnectionString"><c>APPLICATIONINSIGHTS_CONNECTION_STRING</c>, if set.</param>
public sealed record TelemetrySettings(Uri? OtlpEndpoint, string? ApplicationInsightsConnectionString)
{
    internal static TelemetrySettings Load(SettingReader read)
    {
        const string OtlpKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
        const string AppInsightsKey = "APPLICATIONINSIGHTS_CONNECTION_STRING";
        Uri? otlp = null;
        if (read.String(OtlpKey) is { } text
            && (!Uri.TryCreate(text, UriKind.Absolute, out otlp) || (otlp.Scheme != Uri.UriSchemeHttp && otlp.Scheme != Uri.UriSchemeHttps)))
        {
            throw new HostConfigurationException(OtlpKey, $"'{text}' is not an absolute http(s) URL such as http://localhost:4317.");
        }

        var connectionString = read.String(AppInsightsKey);
        if (connectionString is not null)
        {
            try
            {
                // The SDK's own parser: what it accepts here, the exporter accepts at startup.
                using var probe = new TelemetryConfiguration();
                probe.ConnectionString = connectionString;
            }
            catch (ArgumentException)
            {
                // The SDK's message may quote the value, which holds the ingestion key: it is not repeated here.
                throw new HostConfigurationException(AppInsightsKey, "not a connection string Application Insights accepts; copy it from the resource's Overview page.");
            }
        }

        return new(otlp, connectionString);
    }
}
