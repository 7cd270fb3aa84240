using AgentFunctions.Host.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Host.Security;

/// <summary>The key an endpoint group needs, as Azure Functions' authorization levels.</summary>
internal enum KeyLevel
{
    /// <summary>A function key or a system key.</summary>
    Function,

    /// <summary>A system key (the management API).</summary>
    System,
}

/// <summary>
/// Requires an <c>x-functions-key</c> header or a <c>code</c> query parameter when keys are configured
/// (<see cref="FunctionKeys.Enabled"/>); with no keys the host listens on loopback only and lets requests in.
/// </summary>
internal static class FunctionKeyFilter
{
    public const string HeaderName = "x-functions-key";

    public static TBuilder RequireFunctionKey<TBuilder>(this TBuilder builder, KeyLevel level)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var keys = context.HttpContext.RequestServices.GetRequiredService<HostSettings>().Keys;
            return !keys.Enabled || IsAuthorized(context.HttpContext.Request, keys, level)
                ? await next(context)
                : Unauthorized(level);
        });

    public static string? PresentedKey(HttpRequest request) =>
        request.Headers.TryGetValue(HeaderName, out var header) && !string.IsNullOrEmpty(header)
            ? header.ToString()
            : request.Query["code"].FirstOrDefault();

    public static bool IsAuthorized(HttpRequest request, FunctionKeys keys, KeyLevel level)
    {
        var presented = PresentedKey(request);
        return level == KeyLevel.System ? keys.IsSystemKey(presented) : keys.IsFunctionKey(presented);
    }

    private static IResult Unauthorized(KeyLevel level) => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "A key is required",
        detail: level == KeyLevel.System
            ? $"This endpoint needs a system key (AgentFunctions:Keys:System) in the {HeaderName} header or the code query parameter."
            : $"This endpoint needs a function or system key in the {HeaderName} header or the code query parameter.");
}
