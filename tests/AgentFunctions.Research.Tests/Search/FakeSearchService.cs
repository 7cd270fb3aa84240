using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AgentFunctions.Research.Tests.Search;

/// <summary>
/// A stand-in for an Azure AI Search service on 127.0.0.1: answers every request with a canned JSON body and
/// records what the SDK sent.
/// </summary>
internal sealed class FakeSearchService : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly string _responseBody;
    private readonly HttpStatusCode _status;

    public FakeSearchService(string responseBody, HttpStatusCode status = HttpStatusCode.OK)
    {
        _responseBody = responseBody;
        _status = status;
        var port = FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri Endpoint { get; }

    /// <summary>The same host and port with an https scheme, for SDKs that refuse http endpoints.</summary>
    public Uri HttpsEndpoint => new UriBuilder(Endpoint) { Scheme = Uri.UriSchemeHttps }.Uri;

    public List<RecordedRequest> Requests { get; } = [];

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }

    private async Task ServeAsync()
    {
        // Ends when the listener is stopped: GetContextAsync then throws.
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            lock (Requests)
            {
                Requests.Add(new RecordedRequest(context.Request.HttpMethod, context.Request.Url!.PathAndQuery, context.Request.Headers["api-key"], body));
            }

            var bytes = Encoding.UTF8.GetBytes(_responseBody);
            context.Response.StatusCode = (int)_status;
            context.Response.ContentType = "application/json; odata.metadata=none";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    internal sealed record RecordedRequest(string Method, string PathAndQuery, string? ApiKey, string Body);
}
