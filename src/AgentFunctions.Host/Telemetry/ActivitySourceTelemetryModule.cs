using System.Diagnostics;
using System.Globalization;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.ApplicationInsights.Extensibility.Implementation;

namespace AgentFunctions.Host.Telemetry;

/// <summary>
/// Reports the spans of the named <see cref="ActivitySource"/>s to Application Insights: server spans (HTTP
/// requests) as requests, the rest as dependencies, with trace, span and parent ids so the portal's transaction
/// view links them to the HTTP and Azure SDK dependencies the WorkerService package collects itself.
/// </summary>
/// <remarks>
/// <c>Microsoft.ApplicationInsights.WorkerService</c> 2.x collects Activities from <see cref="DiagnosticListener"/>s
/// only (HttpClient, SQL, the Azure SDKs); it has no <see cref="ActivitySource"/> listener. The Functions worker's
/// own Application Insights package fills that gap the same way, with a telemetry module that listens to its
/// sources; the WorkerService package initializes every <see cref="ITelemetryModule"/> registered in DI.
/// </remarks>
/// <param name="sourceNames">The sources to report.</param>
internal sealed class ActivitySourceTelemetryModule(IReadOnlyCollection<string> sourceNames) : ITelemetryModule, IDisposable
{
    private readonly HashSet<string> _sources = new(sourceNames, StringComparer.Ordinal);
    private TelemetryClient? _client;
    private ActivityListener? _listener;

    /// <inheritdoc />
    public void Initialize(TelemetryConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (Interlocked.CompareExchange(ref _client, new TelemetryClient(configuration), null) is not null)
        {
            return; // initialized already
        }

        _listener = new ActivityListener
        {
            ShouldListenTo = source => _sources.Contains(source.Name),

            // Application Insights samples on its own (adaptive sampling); every span is offered to it.
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Track,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <inheritdoc />
    public void Dispose() => _listener?.Dispose();

    internal static OperationTelemetry ToTelemetry(Activity span)
    {
        var failed = span.Status == ActivityStatusCode.Error;
        var statusCode = span.GetTagItem("http.response.status_code")?.ToString();
        OperationTelemetry telemetry;
        if (span.Kind == ActivityKind.Server)
        {
            var method = span.GetTagItem("http.request.method")?.ToString();
            var route = span.GetTagItem("http.route")?.ToString() ?? span.GetTagItem("url.path")?.ToString();
            var request = new RequestTelemetry
            {
                Name = method is not null && route is not null ? $"{method} {route}" : span.DisplayName,
                ResponseCode = statusCode ?? "0",
                Success = !failed && !(int.TryParse(statusCode, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) && code >= 500),
            };
            request.Context.Operation.Name = request.Name;
            telemetry = request;
        }
        else
        {
            // In-process work is an "InProc" dependency in Application Insights' model; the source names the component.
            telemetry = new DependencyTelemetry
            {
                Name = span.DisplayName,
                Type = span.Kind == ActivityKind.Internal ? "InProc" : span.Source.Name,
                Target = span.Source.Name,
                ResultCode = statusCode ?? string.Empty,
                Success = !failed,
            };
        }

        telemetry.Id = span.SpanId.ToHexString();
        telemetry.Timestamp = span.StartTimeUtc;
        telemetry.Duration = span.Duration;
        telemetry.Context.Operation.Id = span.TraceId.ToHexString();
        telemetry.Context.Operation.ParentId = span.ParentSpanId == default ? null : span.ParentSpanId.ToHexString();
        telemetry.Properties["ActivitySource"] = span.Source.Name;
        if (failed && !string.IsNullOrEmpty(span.StatusDescription))
        {
            telemetry.Properties["error.description"] = span.StatusDescription;
        }

        foreach (var (key, value) in span.TagObjects)
        {
            if (value is not null)
            {
                telemetry.Properties[key] = Convert.ToString(value, CultureInfo.InvariantCulture);
            }
        }

        return telemetry;
    }

    private void Track(Activity span) => _client?.Track(ToTelemetry(span));
}
