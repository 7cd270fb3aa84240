using System.Text.Json;
using AgentFunctions.Host.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Host.Tests.Unit;

public sealed class StorageUnavailableHandlerTests
{
    private static (StorageUnavailableHandler Handler, HttpContext Context) Create()
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = new MemoryStream();
        var handler = new StorageUnavailableHandler(services.GetRequiredService<IProblemDetailsService>(), NullLogger<StorageUnavailableHandler>.Instance);
        return (handler, context);
    }

    [Fact]
    public async Task TryHandleAsync_StorageUnreachable_Answers503WithRetryAfterAndTheOperation()
    {
        var (handler, context) = Create();
        // As the engine's provider throws it: its own exception around the SDK's failure.
        var error = new InvalidOperationException(
            "GET table 'HubInstances' got no response after 5 attempt(s) over 51.8 s: no response within 00:00:10",
            new Azure.RequestFailedException(0, "no response"));

        var handled = await handler.TryHandleAsync(context, error, CancellationToken.None);

        Assert.True(handled);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("5", context.Response.Headers.RetryAfter.ToString());
        context.Response.Body.Position = 0;
        using var problem = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Contains("HubInstances", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryHandleAsync_AzureSdkRetriesExhausted_Answers503NamingTheLastAttempt()
    {
        var (handler, context) = Create();
        var error = new AggregateException(
            "Retry failed after 2 tries.",
            new Azure.RequestFailedException("Connection refused (127.0.0.1:1)"),
            new Azure.RequestFailedException(503, "Server busy"));

        var handled = await handler.TryHandleAsync(context, error, CancellationToken.None);

        Assert.True(handled);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        using var problem = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Contains("Server busy", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(412)]
    public async Task TryHandleAsync_AzureSdkClientError_LeavesItToTheDefaultHandler(int status)
    {
        var (handler, context) = Create();

        Assert.False(await handler.TryHandleAsync(context, new Azure.RequestFailedException(status, "refused"), CancellationToken.None));
    }

    [Theory]
    [InlineData(404)]
    [InlineData(409)]
    public async Task TryHandleAsync_ClientSideStorageError_LeavesItToTheDefaultHandler(int status)
    {
        var (handler, context) = Create();

        var handled = await handler.TryHandleAsync(context, new InvalidOperationException("x", new Azure.RequestFailedException(status, "x", "Code", null)), CancellationToken.None);

        Assert.False(handled);
    }

    [Fact]
    public async Task TryHandleAsync_OtherException_NotHandled()
    {
        var (handler, context) = Create();

        Assert.False(await handler.TryHandleAsync(context, new InvalidOperationException("bug"), CancellationToken.None));
    }
}
