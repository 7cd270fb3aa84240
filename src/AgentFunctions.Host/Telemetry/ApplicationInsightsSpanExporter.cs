using System.Diagnostics;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility.Implementation;
using OpenTelemetry;

namespace AgentFunctions.Host.Telemetry;

/// <summary>
/// Sends finished spans to Application Insights as requests (server spans) and dependencies (the rest),
/// keeping trace and parent ids so the portal's transaction view links them. It stands in for the
/// WorkerService package, which does not restore here.
/// </summary>
internal sealed class ApplicationInsightsSpanExporter(TelemetryClient client) : BaseExporter<Activity>
{
    public override ExportResult Export(in Batch<Activity> batch)
    {
        foreach (var span in batch)
        {
            OperationTelemetry telemetry = span.Kind == ActivityKind.Server
                ? new RequestTelemetry { Name = span.DisplayName, Success = span.Status != ActivityStatusCode.Error, ResponseCode = span.GetTagItem("http.response.status_code")?.ToString() ?? "0" }
                : new DependencyTelemetry { Name = span.DisplayName, Type = span.Source.Name, Success = span.Status != ActivityStatusCode.Error };
            telemetry.Id = span.SpanId.ToHexString();
            telemetry.Timestamp = span.StartTimeUtc;
            telemetry.Duration = span.Duration;
            telemetry.Context.Operation.Id = span.TraceId.ToHexString();
            telemetry.Context.Operation.ParentId = span.ParentSpanId == default ? null : span.ParentSpanId.ToHexString();
            foreach (var (key, value) in span.TagObjects)
            {
                if (value is not null)
                {
                    telemetry.Properties[key] = value.ToString();
                }
            }

            client.Track(telemetry);
        }

        return ExportResult.Success;
    }

    protected override bool OnForceFlush(int timeoutMilliseconds)
    {
        client.Flush();
        return true;
    }

    protected override bool OnShutdown(int timeoutMilliseconds)
    {
        client.Flush();
        return true;
    }
}
