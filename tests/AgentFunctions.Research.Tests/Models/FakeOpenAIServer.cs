using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace AgentFunctions.Research.Tests.Models;

/// <summary>
/// A scripted Azure OpenAI resource on 127.0.0.1: it answers chat completions (any deployment) with the replies
/// queued, in order, and records each request.
/// </summary>
public sealed class FakeOpenAIServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<Reply> _replies = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeOpenAIServer()
    {
        var port = FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public sealed record Reply(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default);

    public sealed record Request(string Path, string Query, string? ApiKey, string? Authorization, JsonElement Body);

    /// <summary>The resource endpoint, as <c>AZURE_OPENAI_ENDPOINT</c> would name it.</summary>
    public Uri Endpoint { get; }

    public ConcurrentQueue<Request> Requests { get; } = new();

    public void Enqueue(Reply reply) => _replies.Enqueue(reply);

    public void EnqueueCompletion(string content, string finishReason = "stop", int promptTokens = 120, int completionTokens = 30) =>
        Enqueue(new Reply(200, JsonSerializer.Serialize(new
        {
            id = "chatcmpl-1",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = "gpt-test",
            choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = finishReason } },
            usage = new { prompt_tokens = promptTokens, completion_tokens = completionTokens, total_tokens = promptTokens + completionTokens },
        })));

    public void EnqueueError(int status, string code, IReadOnlyDictionary<string, string>? headers = null) =>
        Enqueue(new Reply(status, JsonSerializer.Serialize(new { error = new { message = $"fake {code}", type = code, code } }), headers));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
            // stopping
        }

        _stop.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
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
            using (var document = JsonDocument.Parse(body.Length == 0 ? "{}" : body))
            {
                Requests.Enqueue(new Request(
                    context.Request.Url!.AbsolutePath, context.Request.Url.Query, context.Request.Headers["api-key"], context.Request.Headers["Authorization"], document.RootElement.Clone()));
            }

            var reply = _replies.TryDequeue(out var next) ? next : new Reply(500, """{"error":{"message":"script exhausted"}}""");
            if (reply.Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(reply.Delay, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = "application/json";
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }

            var bytes = Encoding.UTF8.GetBytes(reply.Body);
            context.Response.ContentLength64 = bytes.Length;
            try
            {
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
            catch (HttpListenerException)
            {
                // The client gave up first (a timeout test); serve the next request.
            }
        }
    }
}
