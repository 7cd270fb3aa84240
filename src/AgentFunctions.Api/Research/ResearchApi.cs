using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Host.Management;
using AgentFunctions.Host.Security;
using AgentFunctions.Research.Publishing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Host.Research;

/// <summary>The research HTTP trigger: <c>POST /api/research</c>.</summary>
public static class ResearchApi
{
    /// <summary>The request header that makes a retried submission return the same instance.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Maps <c>/api/research</c>.</summary>
    public static RouteGroupBuilder MapResearchApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/research").WithTags("Research").RequireFunctionKey(KeyLevel.Function);
        group.MapPost("/", (HttpRequest request, ResearchSubmitter submitter, HostSettings settings, CallbackUrlPolicy callbackPolicy, CancellationToken ct) =>
            SubmitAsync(request, submitter, settings, callbackPolicy, instanceId => CheckStatusResponse.Create(request, instanceId, settings), ct));
        return group;
    }

    /// <summary>
    /// Handles a submission: 413, 400 with a problem per bad field, 422 for a reused key, else 202 with the
    /// check-status body. <paramref name="links"/> builds that body: the local host builds it on its own management
    /// API, the Functions app asks the Durable extension, whose management API it is in Azure.
    /// </summary>
    internal static async Task<IResult> SubmitAsync(
        HttpRequest request, ResearchSubmitter submitter, HostSettings settings, CallbackUrlPolicy callbackPolicy, Func<string, CheckStatusResponse> links, CancellationToken ct)
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

        var checkStatus = links(result.InstanceId);
        return TypedResults.Accepted(checkStatus.StatusQueryGetUri, checkStatus);
    }
}
