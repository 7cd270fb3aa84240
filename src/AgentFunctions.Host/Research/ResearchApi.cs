using AgentFunctions.Host.Durable;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Host.Management;
using AgentFunctions.Host.Security;
using AgentFunctions.Research.Publishing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Host.Research;

/// <summary>The research HTTP trigger: <c>POST /api/research</c> and a status convenience route.</summary>
public static class ResearchApi
{
    /// <summary>The request header that makes a retried submission return the same instance.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Maps <c>/api/research</c>.</summary>
    public static RouteGroupBuilder MapResearchApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/research").WithTags("Research").RequireFunctionKey(KeyLevel.Function);
        group.MapPost("/", SubmitAsync);
        group.MapGet("/{instanceId}", (HttpRequest request, string instanceId, DurableTaskClient client, CancellationToken ct) =>
            ManagementApi.GetStatusAsync(request, instanceId, client, showInput: true, showHistory: false, showHistoryOutput: false, ct));
        return group;
    }

    private static async Task<IResult> SubmitAsync(
        HttpRequest request, ResearchSubmitter submitter, HostSettings settings, CallbackUrlPolicy callbackPolicy, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(request, settings.MaxRequestBodyBytes, ct);
        if (body is null)
        {
            return RequestBody.TooLarge(settings.MaxRequestBodyBytes);
        }

        var (research, errors) = ResearchSubmissionParser.Parse(body, callbackPolicy);
        string? key = null;
        if (request.Headers.TryGetValue(IdempotencyKeyHeader, out var keyValues))
        {
            key = keyValues.ToString();
            if (ResearchSubmitter.ValidateKey(key) is { } problem)
            {
                errors[IdempotencyKeyHeader] = [problem];
            }
        }

        if (errors.Count > 0 || research is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The research request is invalid");
        }

        var result = await submitter.SubmitAsync(research, key, ct);
        if (result.KeyConflict)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "Idempotency-Key reused with a different request",
                detail: $"The key was first used for instance '{result.InstanceId}' with a different body; use a new key for a new request.");
        }

        var links = CheckStatusResponse.Create(request, result.InstanceId, settings);
        return TypedResults.Accepted(links.StatusQueryGetUri, links);
    }
}
