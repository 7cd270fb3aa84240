using System.Diagnostics;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Telemetry;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.ApplicationInsights.WorkerService;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentFunctions.Host.Tests.Unit;

public sealed class TelemetryRegistrationTests : IDisposable
{
    private readonly ActivitySource _source = new("AgentFunctions.Tests." + Guid.NewGuid().ToString("N"));
    private readonly ActivityListener _listener;

    public TelemetryRegistrationTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source == _source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _source.Dispose();
    }

    [Fact]
    public void ToTelemetry_ServerSpan_IsARequestNamedByMethodAndRouteWithItsIds()
    {
        using var parent = _source.StartActivity("parent")!;
        using var span = _source.StartActivity("Microsoft.AspNetCore.Hosting.HttpRequestIn", ActivityKind.Server)!;
        span.SetTag("http.request.method", "POST");
        span.SetTag("http.route", "/api/research");
        span.SetTag("http.response.status_code", 503);
        span.Stop();

        var request = Assert.IsType<RequestTelemetry>(ActivitySourceTelemetryModule.ToTelemetry(span));

        Assert.Equal(("POST /api/research", "503", false), (request.Name, request.ResponseCode, request.Success));
        Assert.Equal(span.TraceId.ToHexString(), request.Context.Operation.Id);
        Assert.Equal(parent.SpanId.ToHexString(), request.Context.Operation.ParentId);
        Assert.Equal(span.SpanId.ToHexString(), request.Id);
        Assert.Equal("POST /api/research", request.Context.Operation.Name);
    }

    [Fact]
    public void ToTelemetry_FailedInternalSpan_IsAFailedInProcDependencyWithItsTags()
    {
        using var span = _source.StartActivity("agent planner")!;
        span.SetTag("attempts", 2);
        span.SetStatus(ActivityStatusCode.Error, "model unavailable");
        span.Stop();

        var dependency = Assert.IsType<DependencyTelemetry>(ActivitySourceTelemetryModule.ToTelemetry(span));

        Assert.Equal(("agent planner", "InProc", _source.Name, false), (dependency.Name, dependency.Type, dependency.Target, dependency.Success));
        Assert.Equal("2", dependency.Properties["attempts"]);
        Assert.Equal("model unavailable", dependency.Properties["error.description"]);
        Assert.Equal(_source.Name, dependency.Properties["ActivitySource"]);
        Assert.Null(dependency.Context.Operation.ParentId);
    }

    [Fact]
    public void AddAgentFunctionsTelemetry_ConnectionString_RegistersWorkerServiceWithTheSpanModule()
    {
        var configuration = Configuration(new() { [TelemetryRegistration.ConnectionStringKey] = "InstrumentationKey=0b5f8a9e-1111-4222-8333-944444444444;IngestionEndpoint=http://127.0.0.1:9/" });
        var services = new ServiceCollection().AddSingleton(configuration);

        services.AddAgentFunctionsTelemetry(configuration);

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<ApplicationInsightsServiceOptions>>().Value;
        Assert.Equal(configuration[TelemetryRegistration.ConnectionStringKey], options.ConnectionString);
        Assert.False(options.EnableAzureInstanceMetadataTelemetryModule);
        Assert.Contains(services, d => d.ServiceType == typeof(ITelemetryModule) && d.ImplementationFactory is not null);
        Assert.Contains(services, d => d.ServiceType == typeof(Microsoft.ApplicationInsights.TelemetryClient));
    }

    [Fact]
    public void AddAgentFunctionsTelemetry_NothingConfigured_AddsNothing()
    {
        var services = new ServiceCollection();

        services.AddAgentFunctionsTelemetry(Configuration([]));

        Assert.Empty(services);
    }

    [Theory]
    [InlineData("not a connection string")]
    [InlineData("IngestionEndpoint=https://example.invalid/")]
    public void AddAgentFunctionsTelemetry_MalformedConnectionString_FailsNamingTheKey(string value)
    {
        var configuration = Configuration(new() { [TelemetryRegistration.ConnectionStringKey] = value });

        var ex = Assert.Throws<HostConfigurationException>(() => new ServiceCollection().AddAgentFunctionsTelemetry(configuration));

        Assert.StartsWith("Invalid setting 'APPLICATIONINSIGHTS_CONNECTION_STRING'", ex.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
