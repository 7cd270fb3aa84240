using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Functions.Tests;

/// <summary>An HTTP request as the ASP.NET Core integration hands it to a function, and the executed result.</summary>
internal static class HttpCalls
{
    private static readonly IServiceProvider ResultServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();

    public static HttpRequest Post(string path, string body, IReadOnlyDictionary<string, string>? headers = null, string contentType = "application/json")
    {
        var context = new DefaultHttpContext { RequestServices = ResultServices };
        context.Request.Method = HttpMethods.Post;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("app.example.test");
        context.Request.Path = path;
        context.Request.ContentType = contentType;
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            context.Request.Headers[name] = value;
        }

        context.Response.Body = new MemoryStream();
        return context.Request;
    }

    public static HttpRequest Get(string path, string query = "")
    {
        var request = Post(path, string.Empty);
        request.Method = HttpMethods.Get;
        request.ContentType = null;
        request.QueryString = new QueryString(query);
        return request;
    }

    /// <summary>Runs the result against the request's response, as the Functions middleware does.</summary>
    public static async Task<Response> ExecuteAsync(HttpRequest request, IResult result)
    {
        await result.ExecuteAsync(request.HttpContext);
        var response = request.HttpContext.Response;
        response.Body.Position = 0;
        var text = await new StreamReader(response.Body).ReadToEndAsync();
        return new Response(response.StatusCode, response.ContentType, response.Headers.Location.ToString(), text);
    }

    /// <summary>What the function answered.</summary>
    public sealed record Response(int Status, string? ContentType, string Location, string Body)
    {
        public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
    }
}
