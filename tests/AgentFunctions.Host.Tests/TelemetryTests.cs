using System.Net;
using System.Net.Sockets;

namespace AgentFunctions.Host.Tests;

/// <summary>OpenTelemetry export over OTLP/HTTP to a loopback fake collector.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task Run_OtlpEndpointSet_ExportsTracesToCollector()
    {
        var port = FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        await using var host = await HostProcess.StartAsync(environment: new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });

        var id = await HostApi.StartAsync(host.Client, requireApproval: false);
        await HostApi.WaitForStatusAsync(host.Client, id, "Completed");

        // OTLP protobuf carries instrumentation scope names as plain UTF-8, so the runtime's spans and
        // metrics can be recognised without a protobuf parser.
        var seen = new HashSet<string>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!(seen.Contains("/v1/traces") && seen.Contains("/v1/metrics")))
        {
            var context = await collector.GetContextAsync().WaitAsync(deadline.Token);
            Assert.Equal("application/x-protobuf", context.Request.ContentType);
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            if (System.Text.Encoding.UTF8.GetString(body.ToArray()).Contains("AgentFunctions.Research", StringComparison.Ordinal))
            {
                seen.Add(context.Request.Url!.AbsolutePath);
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
        }

        Assert.Contains("Telemetry export: OTLP on", host.Output, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
