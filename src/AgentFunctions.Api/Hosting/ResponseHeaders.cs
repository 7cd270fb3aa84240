using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Host.Hosting;

/// <summary>The headers every response of either host carries.</summary>
public static class ResponseHeaders
{
    /// <summary>Sets them on a response that has not started.</summary>
    public static void Apply(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        if (!context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments("/runtime"))
        {
            // The pages run no script at all; forms may only post back to this host.
            context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        }
    }
}
