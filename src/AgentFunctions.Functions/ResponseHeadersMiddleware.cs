using AgentFunctions.Host.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace AgentFunctions.Functions;

/// <summary>Gives HTTP functions' responses the headers the local host sets (nosniff, no referrer, the pages' CSP).</summary>
internal sealed class ResponseHeadersMiddleware : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext() is { } http)
        {
            ResponseHeaders.Apply(http);
        }

        await next(context);
    }
}
