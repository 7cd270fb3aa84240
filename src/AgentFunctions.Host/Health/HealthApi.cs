using Microsoft.DurableTask.Client;
using AgentFunctions.Host.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Host.Health;

/// <summary><c>GET /healthz</c>: 200 when the task hub's backend answers a query, 503 otherwise.</summary>
public static class HealthApi
{
    private const string Backend = "AzureStorage";

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Maps the health route (open: it reveals only the backend kind and hub name).</summary>
    public static IEndpointConventionBuilder MapHealthApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/healthz", CheckAsync).WithTags("Health");

    private static async Task<IResult> CheckAsync(DurableTaskClient client, HostSettings settings, ILoggerFactory loggers, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            // A point read of the Instances table: storage reachable, hub readable.
            await client.GetInstanceAsync("healthz-probe", getInputsAndOutputs: false, timeout.Token);
            return TypedResults.Ok(new { status = "Healthy", backend = Backend, taskHub = settings.DurableTask.HubName });
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            loggers.CreateLogger(typeof(HealthApi).FullName!).LogWarning(ex, "Health probe of backend {Backend} failed", Backend);
            return TypedResults.Json(
                new { status = "Unhealthy", backend = Backend, taskHub = settings.DurableTask.HubName, error = ex.Message },
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
