using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace AgentFunctions.Host.Tests;

/// <summary>
/// Telemetry export from the running host: OTLP/HTTP to a loopback fake collector, and Application Insights
/// (the WorkerService package's own channel) to a loopback fake ingestion endpoint.
/// </summary>
public sealed class TelemetryTests
{
    private const string InstrumentationKey = "0b5f8a9e-1111-4222-8333-944444444444";

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

    [Fact]
    public async Task Run_ApplicationInsightsConnectionString_SendsRequestsAndRunSpansToIngestion()
    {
        var port = FreePort();
        using var ingestion = new HttpListener();
        ingestion.Prefixes.Add($"http://127.0.0.1:{port}/");
        ingestion.Start();
        var envelopes = new ConcurrentQueue<JsonObject>();
        var serving = Task.Run(() => ServeIngestionAsync(ingestion, envelopes));
        await using var host = await HostProcess.StartAsync(environment: new Dictionary<string, string>
        {
            // Live metrics and ingestion both point at the fake: nothing leaves the machine.
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] =
                $"InstrumentationKey={InstrumentationKey};IngestionEndpoint=http://127.0.0.1:{port}/;LiveEndpoint=http://127.0.0.1:{port}/",

            // Developer mode sends each item at once instead of every 30 s.
            ["APPINSIGHTS_DEVELOPER_MODE"] = "true",
        });

        var id = await HostApi.StartAsync(host.Client, requireApproval: false);
        await HostApi.WaitForStatusAsync(host.Client, id, "Completed");

        JsonObject? submit = null, agent = null, model = null, runtime = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((submit is null || agent is null || model is null || runtime is null) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            submit ??= envelopes.FirstOrDefault(e => BaseType(e) == "RequestData" && Name(e) == "POST /api/research");
            agent ??= envelopes.FirstOrDefault(e => BaseType(e) == "RemoteDependencyData" && Name(e) == "agent planner");
            model ??= envelopes.FirstOrDefault(e => BaseType(e) == "RemoteDependencyData" && Property(e, "gen_ai.operation.name") == "chat");
            runtime ??= envelopes.FirstOrDefault(e => BaseType(e) == "RemoteDependencyData" && Property(e, "ActivitySource") == "DurableTask.Core");
        }

        var seen = string.Join("\n", envelopes.Select(e => $"{BaseType(e)} {Data(e)["name"]} {Property(e, "ActivitySource")} {Data(e)["properties"]?.ToJsonString()}").Distinct().Take(40));
        Assert.True(submit is not null && agent is not null && model is not null && runtime is not null, $"missing telemetry; received:\n{seen}\nhost output:\n{host.Output}");
        Assert.Equal("202", Data(submit)["responseCode"]!.GetValue<string>());
        Assert.True(Data(submit)["success"]!.GetValue<bool>());
        Assert.Equal(("InProc", "AgentFunctions.Research"), (Data(agent)["type"]!.GetValue<string>(), Property(agent, "ActivitySource")));
        Assert.Equal("AgentFunctions.Research", Property(model, "ActivitySource"));
        foreach (var item in (JsonObject[])[submit, agent, model, runtime])
        {
            Assert.Equal(InstrumentationKey, item["iKey"]!.GetValue<string>());
            Assert.Matches("^[0-9a-f]{32}$", item["tags"]!["ai.operation.id"]!.GetValue<string>());
        }

        Assert.Contains("Application Insights on", host.Output, StringComparison.Ordinal);
        ingestion.Stop();
        await serving;
    }

    private static string? Name(JsonObject envelope) => Data(envelope)["name"]?.GetValue<string>();

    private static string? BaseType(JsonObject envelope) => envelope["data"]?["baseType"]?.GetValue<string>();

    private static JsonObject Data(JsonObject envelope) => envelope["data"]!["baseData"]!.AsObject();

    private static string? Property(JsonObject envelope, string name) => Data(envelope)["properties"]?[name]?.GetValue<string>();

    /// <summary>Accepts what the SDK's channel posts to <c>/v2/track</c> (gzipped JSON lines) and answers everything else with 200.</summary>
    private static async Task ServeIngestionAsync(HttpListener listener, ConcurrentQueue<JsonObject> envelopes)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var received = 0;
            if (context.Request.Url!.AbsolutePath.EndsWith("/track", StringComparison.Ordinal))
            {
                Stream body = context.Request.InputStream;
                if (string.Equals(context.Request.Headers["Content-Encoding"], "gzip", StringComparison.OrdinalIgnoreCase))
                {
                    body = new GZipStream(body, CompressionMode.Decompress);
                }

                using var reader = new StreamReader(body, Encoding.UTF8);
                while (await reader.ReadLineAsync() is { } line)
                {
                    if (line.Length > 0 && JsonNode.Parse(line) is JsonObject envelope)
                    {
                        envelopes.Enqueue(envelope);
                        received++;
                    }
                }
            }

            var reply = Encoding.UTF8.GetBytes($$"""{"itemsReceived":{{received}},"itemsAccepted":{{received}},"errors":[]}""");
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            try
            {
                await context.Response.OutputStream.WriteAsync(reply);
                context.Response.Close();
            }
            catch (HttpListenerException)
            {
                // the host went away mid-reply
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
