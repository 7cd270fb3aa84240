using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Host.Telemetry;

/// <summary>
/// Puts the request's method, route and status on ASP.NET Core's request span (and names it <c>POST /api/research</c>),
/// as the semantic conventions have them. ASP.NET Core starts that span bare; the OpenTelemetry ASP.NET Core
/// instrumentation package would tag it but is not used here, and Application Insights needs the same facts to
/// name requests and tell failures.
/// </summary>
internal sealed class RequestSpanTagging : IStartupFilter
{
    private const string HostingSourceName = "Microsoft.AspNetCore";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            var span = Activity.Current;
            if (span is null || span.Source.Name != HostingSourceName)
            {
                await nextMiddleware(context);
                return;
            }

            span.SetTag("http.request.method", context.Request.Method);
            span.SetTag("url.path", context.Request.Path.Value);
            try
            {
                await nextMiddleware(context);
            }
            finally
            {
                // The exception handler sits inside this middleware, so the status is the one the client gets.
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
                if (route is not null)
                {
                    // A group's "/" child reads "/api/research/"; the convention has "/api/research".
                    route = "/" + route.Trim('/');
                    span.SetTag("http.route", route);
                }

                span.SetTag("http.response.status_code", context.Response.StatusCode);
                span.DisplayName = $"{context.Request.Method} {route ?? context.Request.Path.Value}";
            }
        });
        next(app);
    };
}
