using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace AgentFunctions.Host.Hosting;

/// <summary>
/// Storage that does not answer (Azurite restarting, an account throttling) is a temporary condition, not a
/// server bug: callers get 503 with Retry-After and a problem naming the storage operation, not a bare 500.
/// </summary>
public sealed class StorageUnavailableHandler(IProblemDetailsService problems, ILogger<StorageUnavailableHandler> logger) : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (!StorageErrors.IsUnavailable(exception))
        {
            return false;
        }

        logger.LogWarning(exception, "Storage unavailable while serving {Method} {Path}.", httpContext.Request.Method, httpContext.Request.Path);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "5";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Storage is temporarily unavailable",
                Detail = $"{Describe(exception)} Retry after a few seconds (with the same Idempotency-Key for a submission).",
            },
        }).ConfigureAwait(false);
    }

    /// <summary>The SDK's retry failure lists every attempt; the last one says what went wrong.</summary>
    private static string Describe(Exception exception) =>
        exception is AggregateException { InnerExceptions.Count: > 0 } aggregate
            ? $"{aggregate.InnerExceptions.Count} attempts failed; the last: {aggregate.InnerExceptions[^1].Message}"
            : exception.Message;
}
