using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AgentFunctions.Research.Tests.Publishing;

/// <summary>
/// A minimal HTTP/1.1 receiver on 127.0.0.1 that records each request and answers with a scripted reply. Raw sockets
/// rather than HttpListener: it must accept whatever Host header the sender uses (a name the test resolves to loopback).
/// </summary>
public sealed class LoopbackReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackReceiver()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptAsync);
    }

    /// <summary>What to answer: a status line, extra header lines, a body, and the length to declare (default: the body's).</summary>
    public sealed record Reply(int Status, string[]? Headers = null, string Body = "", long? DeclaredLength = null);

    public sealed record Request(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string Body);

    public int Port { get; }

    public Reply Answer { get; set; } = new(204);

    public ConcurrentQueue<Request> Requests { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream);
                var lines = head.Split("\r\n");
                var requestLine = lines[0].Split(' ');
                var headers = lines.Skip(1).Where(l => l.Contains(':', StringComparison.Ordinal))
                    .Select(l => l.Split(':', 2))
                    .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
                var body = headers.TryGetValue("Transfer-Encoding", out var coding) && coding.Contains("chunked", StringComparison.OrdinalIgnoreCase)
                    ? await ReadChunkedAsync(stream)
                    : await ReadExactlyAsync(stream, headers.TryGetValue("Content-Length", out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : 0);
                Requests.Enqueue(new Request(requestLine[0], requestLine[1], headers, Encoding.UTF8.GetString(body)));

                var answer = Answer;
                var response = new StringBuilder().Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {answer.Status} Scripted\r\n");
                foreach (var header in answer.Headers ?? [])
                {
                    response.Append(header).Append("\r\n");
                }

                var bodyBytes = Encoding.UTF8.GetBytes(answer.Body);
                response.Append(CultureInfo.InvariantCulture, $"Content-Length: {answer.DeclaredLength ?? bodyBytes.Length}\r\n\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response.ToString()), _stop.Token);
                await stream.WriteAsync(bodyBytes, _stop.Token);
                if (answer.DeclaredLength > bodyBytes.Length)
                {
                    // Hold the connection open with the body unfinished until the test ends or the sender hangs up.
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or EndOfStreamException)
            {
            }
        }
    }

    private async Task<byte[]> ReadExactlyAsync(NetworkStream stream, int length)
    {
        var bytes = new byte[length];
        await stream.ReadExactlyAsync(bytes, _stop.Token);
        return bytes;
    }

    private async Task<byte[]> ReadChunkedAsync(NetworkStream stream)
    {
        var body = new List<byte>();
        for (var chunks = 0; chunks < 10_000; chunks++)
        {
            var size = int.Parse((await ReadUntilAsync(stream, "\r\n")).TrimEnd().Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            body.AddRange(await ReadExactlyAsync(stream, size));
            await ReadExactlyAsync(stream, 2);
            if (size == 0)
            {
                return [.. body];
            }
        }

        throw new IOException("Too many chunks.");
    }

    private Task<string> ReadHeadAsync(NetworkStream stream) => ReadUntilAsync(stream, "\r\n\r\n");

    private async Task<string> ReadUntilAsync(NetworkStream stream, string terminator)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                throw new EndOfStreamException();
            }

            buffer.Add(one[0]);
            if (buffer.Count >= terminator.Length && Encoding.ASCII.GetString([.. buffer.GetRange(buffer.Count - terminator.Length, terminator.Length)]) == terminator)
            {
                return Encoding.ASCII.GetString([.. buffer]);
            }
        }

        throw new IOException("Request line or head over 64 KiB.");
    }
}
