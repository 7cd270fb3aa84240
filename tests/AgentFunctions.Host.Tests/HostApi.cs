using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentFunctions.Host.Approvals;

namespace AgentFunctions.Host.Tests;

/// <summary>Calls the running host the way an external client does: JSON over HTTP, nothing in-process.</summary>
public static class HostApi
{
    public const string Management = "/runtime/webhooks/durabletask";
    // Generous: the engine polls Azurite, and these tests share two cores with everything else a CI run does.
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(90);

    public static async Task<(HttpResponseMessage Response, JsonObject Body)> SubmitAsync(HttpClient client, object request, string? idempotencyKey = null)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/api/research") { Content = JsonContent.Create(request) };
        if (idempotencyKey is not null)
        {
            message.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        var response = await client.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        return (response, JsonNode.Parse(text)!.AsObject());
    }

    public static async Task<string> StartAsync(HttpClient client, bool requireApproval = true, string question = "What is durable orchestration?")
    {
        var (response, body) = await SubmitAsync(client, new { question, requireApproval });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return body["id"]!.GetValue<string>();
    }

    public static async Task<JsonObject?> StatusAsync(HttpClient client, string instanceId, bool showHistory = false)
    {
        using var response = await client.GetAsync(new Uri($"{Management}/instances/{instanceId}?showHistory={showHistory.ToString().ToLowerInvariant()}&showHistoryOutput=true", UriKind.Relative));
        return response.StatusCode == HttpStatusCode.NotFound ? null : JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    public static string? Phase(JsonObject status) =>
        status["customStatus"] is JsonObject custom && custom["phase"] is JsonValue phase ? phase.GetValue<string>() : null;

    /// <summary>Polls until the status satisfies <paramref name="condition"/>, at most <see cref="WaitLimit"/>.</summary>
    public static async Task<JsonObject> WaitForAsync(HttpClient client, string instanceId, Func<JsonObject, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        JsonObject? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await StatusAsync(client, instanceId);
            if (last is not null && condition(last))
            {
                return last;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Instance {instanceId} did not reach {what} within {WaitLimit}; last status: {last?.ToJsonString()}");
    }

    public static Task<JsonObject> WaitForPhaseAsync(HttpClient client, string instanceId, string phase) =>
        WaitForAsync(client, instanceId, s => Phase(s) == phase, $"phase {phase}");

    public static Task<JsonObject> WaitForStatusAsync(HttpClient client, string instanceId, string runtimeStatus) =>
        WaitForAsync(client, instanceId, s => s["runtimeStatus"]!.GetValue<string>() == runtimeStatus, runtimeStatus);

    public static async Task<int> CountEventsRaisedAsync(HttpClient client, string instanceId)
    {
        var status = await StatusAsync(client, instanceId, showHistory: true);
        return status!["historyEvents"]!.AsArray().Count(e => e!["EventType"]!.GetValue<string>() == "EventRaised");
    }

    /// <summary>POSTs a reviewer webhook delivery, signed with <paramref name="secret"/> at <paramref name="timestamp"/>.</summary>
    public static async Task<HttpResponseMessage> DeliverAsync(
        HttpClient client, string instanceId, object body, string? deliveryId = null, string secret = HostProcess.WebhookSecret, DateTimeOffset? timestamp = null, string? signatureOverride = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body as string ?? JsonSerializer.Serialize(body));
        var t = (timestamp ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        using var message = new HttpRequestMessage(HttpMethod.Post, $"/api/approvals/{instanceId}") { Content = new ByteArrayContent(bytes) };
        message.Content.Headers.ContentType = new("application/json");
        message.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, signatureOverride ?? WebhookSignature.CreateHeader(secret, t, bytes));
        message.Headers.Add(WebhookSignature.DeliveryHeader, deliveryId ?? Guid.NewGuid().ToString("N"));
        return await client.SendAsync(message);
    }
}
