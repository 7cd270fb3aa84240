using System.Globalization;
using System.Text.Json;
using AgentFunctions.Host.Durable;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Host.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Host.Management;

/// <summary>
/// The Durable Functions HTTP management API under <c>/runtime/webhooks/durabletask</c>, with its routes,
/// status codes and body shapes; it needs a system key when keys are configured.
/// </summary>
public static class ManagementApi
{
    /// <summary>The paging header, in requests and responses.</summary>
    public const string ContinuationHeader = "x-ms-continuation-token";

    private const int DefaultTop = 100;
    private const int MaxTop = 1000;

    /// <summary>Maps the management routes.</summary>
    public static RouteGroupBuilder MapDurableManagementApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(CheckStatusResponse.ManagementPrefix).WithTags("Durable management").RequireFunctionKey(KeyLevel.System);
        group.MapGet("/instances/{instanceId}", GetInstanceAsync);
        group.MapGet("/instances", ListInstancesAsync);
        group.MapPost("/instances/{instanceId}/raiseEvent/{eventName}", RaiseEventAsync);
        group.MapPost("/instances/{instanceId}/terminate", (string instanceId, string? reason, DurableTaskClient client, CancellationToken ct) =>
            ControlAsync(() => client.TerminateInstanceAsync(instanceId, reason, ct)));
        group.MapPost("/instances/{instanceId}/suspend", (string instanceId, string? reason, DurableTaskClient client, CancellationToken ct) =>
            ControlAsync(() => client.SuspendInstanceAsync(instanceId, reason, ct)));
        group.MapPost("/instances/{instanceId}/resume", (string instanceId, string? reason, DurableTaskClient client, CancellationToken ct) =>
            ControlAsync(() => client.ResumeInstanceAsync(instanceId, reason, ct)));
        group.MapDelete("/instances/{instanceId}", PurgeAsync);
        group.MapPost("/orchestrators/{name}/{instanceId?}", StartAsync);
        return group;
    }

    /// <summary>The status response: 200 once finished, 202 with Location and Retry-After while running, 404 unknown.</summary>
    internal static async Task<IResult> GetStatusAsync(
        HttpRequest request, string instanceId, DurableTaskClient client, bool showInput, bool showHistory, bool showHistoryOutput, CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
        if (instance is null)
        {
            return NotFound(instanceId);
        }

        var history = showHistory && client is LocalDurableTaskClient local ? await local.GetHistoryAsync(instanceId, cancellationToken) : null;
        var body = InstanceStatusJson.Create(instance, showInput, history, showHistoryOutput);
        if (instance.IsCompleted)
        {
            return TypedResults.Json(body, statusCode: StatusCodes.Status200OK);
        }

        request.HttpContext.Response.Headers.RetryAfter = "10";
        request.HttpContext.Response.Headers.Location = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}";
        return TypedResults.Json(body, statusCode: StatusCodes.Status202Accepted);
    }

    internal static IResult NotFound(string instanceId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Instance not found", detail: $"No orchestration instance with id '{instanceId}' exists.");

    private static Task<IResult> GetInstanceAsync(
        HttpRequest request, string instanceId, DurableTaskClient client, bool? showInput, bool? showHistory, bool? showHistoryOutput, CancellationToken ct) =>
        GetStatusAsync(request, instanceId, client, showInput ?? true, showHistory ?? false, showHistoryOutput ?? false, ct);

    private static async Task<IResult> ListInstancesAsync(HttpContext http, DurableTaskClient client, CancellationToken ct)
    {
        var query = http.Request.Query;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var statuses = new List<OrchestrationRuntimeStatus>();
        foreach (var text in query["runtimeStatus"].SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (Enum.TryParse<OrchestrationRuntimeStatus>(text, ignoreCase: true, out var status) && Enum.IsDefined(status) && !int.TryParse(text, CultureInfo.InvariantCulture, out _))
            {
                statuses.Add(status);
            }
            else
            {
                errors["runtimeStatus"] = [$"'{text}' is not a runtime status; use Pending, Running, Completed, Failed, Terminated or Suspended (comma-separated)."];
            }
        }

        var from = ReadTime(query["createdTimeFrom"], "createdTimeFrom", errors);
        var to = ReadTime(query["createdTimeTo"], "createdTimeTo", errors);
        var top = DefaultTop;
        if (query["top"].FirstOrDefault() is { } topText
            && (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top < 1 || top > MaxTop))
        {
            errors["top"] = [$"top must be a whole number from 1 to {MaxTop}."];
        }

        var showInput = !string.Equals(query["showInput"].FirstOrDefault(), "false", StringComparison.OrdinalIgnoreCase);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The instance query is invalid");
        }

        var continuation = http.Request.Headers[ContinuationHeader].FirstOrDefault();
        var filter = new OrchestrationQuery
        {
            Statuses = statuses.Count == 0 ? null : statuses,
            CreatedFrom = from,
            CreatedTo = to,
            InstanceIdPrefix = query["instanceIdPrefix"].FirstOrDefault(),
            PageSize = top,
            FetchInputsAndOutputs = true,
        };
        IReadOnlyList<OrchestrationMetadata> instances = [];
        string? next = null;
        try
        {
            await foreach (var page in client.GetAllInstancesAsync(filter).AsPages(string.IsNullOrEmpty(continuation) ? null : continuation, top).WithCancellation(ct))
            {
                (instances, next) = (page.Values, page.ContinuationToken);
                break;
            }
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException || ex.GetType().FullName?.StartsWith("Newtonsoft.Json.", StringComparison.Ordinal) == true)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [ContinuationHeader] = ["The continuation token is not one this host issued."] },
                title: "The instance query is invalid");
        }

        if (next is not null)
        {
            http.Response.Headers[ContinuationHeader] = next;
        }

        return TypedResults.Json(instances.Select(i => InstanceStatusJson.Create(i, showInput, null, false)).ToList());
    }

    private static async Task<IResult> RaiseEventAsync(string instanceId, string eventName, HttpRequest request, DurableTaskClient client, HostSettings settings, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(request, settings.MaxRequestBodyBytes, ct);
        if (body is null)
        {
            return RequestBody.TooLarge(settings.MaxRequestBodyBytes);
        }

        JsonElement? payload = null;
        if (body.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                payload = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"The event payload is not valid JSON: {ex.Message}"] });
            }
        }

        return await ControlAsync(() => client.RaiseEventAsync(instanceId, eventName, payload, ct));
    }

    private static async Task<IResult> ControlAsync(Func<Task> operation)
    {
        try
        {
            await operation();
            return TypedResults.Accepted((string?)null);
        }
        catch (InstanceNotFoundException ex)
        {
            return NotFound(ex.InstanceId);
        }
        catch (InstanceFinishedException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Instance already finished", detail: ex.Message);
        }
    }

    private static async Task<IResult> PurgeAsync(string instanceId, DurableTaskClient client, CancellationToken ct)
    {
        try
        {
            var result = await client.PurgeInstanceAsync(instanceId, ct);
            return result.PurgedInstanceCount == 0 ? NotFound(instanceId) : TypedResults.Ok(new { instancesDeleted = result.PurgedInstanceCount });
        }
        catch (InstanceNotFoundException)
        {
            return NotFound(instanceId);
        }
        catch (InvalidOperationException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Instance is still running", detail: ex.Message);
        }
    }

    private static async Task<IResult> StartAsync(string name, string? instanceId, HttpRequest request, DurableTaskClient client, HostSettings settings, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(request, settings.MaxRequestBodyBytes, ct);
        if (body is null)
        {
            return RequestBody.TooLarge(settings.MaxRequestBodyBytes);
        }

        JsonElement? input = null;
        if (body.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                input = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"The orchestrator input is not valid JSON: {ex.Message}"] });
            }
        }

        if (Research.ResearchSubmissionParser.CheckOrchestratorInput(name, ref input, request.HttpContext) is { } invalid) { return invalid; }

        try
        {
            var id = await client.ScheduleNewOrchestrationInstanceAsync(name, input, new StartOrchestrationOptions(instanceId), ct);
            var links = CheckStatusResponse.Create(request, id, settings);
            return TypedResults.Accepted(links.StatusQueryGetUri, links);
        }
        catch (InstanceAlreadyExistsException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Instance already exists", detail: ex.Message);
        }
        catch (ArgumentException ex)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [ex.ParamName == "instanceId" ? "instanceId" : "name"] = [ex.Message] },
                title: "The orchestration cannot be started");
        }
    }

    private static DateTimeOffset? ReadTime(string? text, string name, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        errors[name] = [$"'{text}' is not an ISO-8601 date-time such as 2025-01-31T00:00:00Z."];
        return null;
    }
}
