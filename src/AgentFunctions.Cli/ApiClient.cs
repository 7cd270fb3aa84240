using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace AgentFunctions.Cli;

/// <summary>
/// The AgentFunctions HTTP API as agentfn uses it: the base URL of the local host or a deployed app, the function
/// (or system) key sent as <c>x-functions-key</c>. A non-2xx answer becomes a <see cref="CliException"/> carrying the
/// problem details' title, detail and field errors.
/// </summary>
internal sealed class ApiClient(HttpClient http, Uri baseUrl, string? key) : IDisposable
{
    public const string ManagementPrefix = "runtime/webhooks/durabletask/";

    public Uri BaseUrl { get; } = baseUrl;

    public void Dispose() => http.Dispose();

    /// <summary>Sends a request; returns the status and the JSON body (null when empty).</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseHeaders Headers)> SendAsync(
        HttpMethod method, string relative, byte[]? json, IReadOnlyDictionary<string, string>? headers, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseUrl, relative));
        if (!string.IsNullOrEmpty(key))
        {
            request.Headers.TryAddWithoutValidation("x-functions-key", key);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (json is not null)
        {
            request.Content = new ByteArrayContent(json);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException(ExitCodes.Unreachable, $"Cannot reach {BaseUrl}: {ex.Message} (is the host running? set --url or AGENTFUNCTIONS_URL).");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Unreachable, $"{method} {relative} at {BaseUrl} timed out.");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            JsonNode? body = null;
            if (!string.IsNullOrWhiteSpace(text))
            {
                try
                {
                    body = JsonNode.Parse(text);
                }
                catch (System.Text.Json.JsonException)
                {
                    body = JsonValue.Create(text);
                }
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new CliException(ExitCodes.Refused, Describe(response.StatusCode, body));
            }

            return (response.StatusCode, body, response.Headers);
        }
    }

    /// <summary>One readable paragraph from a problem details body: status, title, detail, each field's errors.</summary>
    internal static string Describe(HttpStatusCode status, JsonNode? body)
    {
        var text = new StringBuilder($"{(int)status} {status}");
        if (body is JsonObject problem)
        {
            if (Json.Text(problem, "title") is { } title)
            {
                text.Append(": ").Append(title);
            }

            if (Json.Text(problem, "detail") is { } detail)
            {
                text.Append(". ").Append(detail);
            }

            if (Json.Get(problem, "errors") is JsonObject errors)
            {
                foreach (var (field, messages) in errors)
                {
                    var list = messages is JsonArray array ? string.Join(" ", array.Select(m => m?.ToString())) : messages?.ToString();
                    text.Append(Environment.NewLine).Append("  ").Append(field).Append(": ").Append(list);
                }
            }
        }
        else if (body is not null && status == HttpStatusCode.Unauthorized)
        {
            text.Append(": ").Append(body);
        }

        if (status == HttpStatusCode.Unauthorized && body is null)
        {
            text.Append(": a function key is required (--key or AGENTFUNCTIONS_KEY; the management routes need a system key)");
        }

        return text.ToString();
    }
}
