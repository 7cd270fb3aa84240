using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AgentFunctions.Durable.History;
using AgentFunctions.Storage.Blobs;

namespace AgentFunctions.Durable.AzureStorage;

/// <summary>
/// Serializes messages and large values, sending anything over the threshold to the large-message container
/// under <c>{instanceId}/</c> so a purge can find it, and leaving a reference behind.
/// </summary>
internal sealed class PayloadStore(BlobContainerClient container, int thresholdBytes)
{
    /// <summary>The options history events and envelopes are written with.</summary>
    public static readonly JsonSerializerOptions Json = DataConverter.CreateDefaultOptions();

    /// <summary>
    /// One task message as a queue envelope (JSON), offloading the event when it is large. A queue message body
    /// is one envelope, or several packed with <see cref="Pack"/>.
    /// </summary>
    public async Task<string> EncodeEnvelopeAsync(TaskMessage message, CancellationToken cancellationToken)
    {
        var eventJson = JsonSerializer.Serialize(message.Event, Json);
        var envelope = Encoding.UTF8.GetByteCount(eventJson) > thresholdBytes
            ? new Envelope(message.InstanceId, message.ExecutionId, null, await UploadAsync(message.InstanceId, "msg", eventJson, cancellationToken))
            : new Envelope(message.InstanceId, message.ExecutionId, JsonDocument.Parse(eventJson).RootElement, null);
        return JsonSerializer.Serialize(envelope, Json);
    }

    /// <summary>
    /// A queue message body carrying several envelopes: <c>{"m":[envelope, ...]}</c>. One envelope stays as it
    /// is, so single messages read the same as before batching existed.
    /// </summary>
    public static string Pack(IReadOnlyList<string> envelopes)
    {
        ArgumentOutOfRangeException.ThrowIfZero(envelopes.Count);
        return envelopes.Count == 1 ? envelopes[0] : $"{{\"m\":[{string.Join(',', envelopes)}]}}";
    }

    /// <summary>The bytes <see cref="Pack"/> adds around envelopes (brackets and commas).</summary>
    public static int PackOverhead(int envelopes) => envelopes <= 1 ? 0 : 7 + envelopes;

    /// <summary>Reads a queue message body back (one envelope or a packed batch), fetching offloaded events.</summary>
    public async Task<IReadOnlyList<TaskMessage>> DecodeMessagesAsync(string body, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("The queue message is not a JSON object.");
        }

        if (!root.TryGetProperty("m", out var batch))
        {
            return [await DecodeEnvelopeAsync(root, cancellationToken)];
        }

        if (batch.ValueKind != JsonValueKind.Array || batch.GetArrayLength() == 0)
        {
            throw new JsonException("The queue message's batch ('m') is not a non-empty array.");
        }

        var messages = new List<TaskMessage>(batch.GetArrayLength());
        foreach (var element in batch.EnumerateArray())
        {
            messages.Add(await DecodeEnvelopeAsync(element, cancellationToken));
        }

        return messages;
    }

    private async Task<TaskMessage> DecodeEnvelopeAsync(JsonElement element, CancellationToken cancellationToken)
    {
        var envelope = element.Deserialize<Envelope>(Json)
            ?? throw new JsonException("The queue message is empty.");
        if (string.IsNullOrEmpty(envelope.InstanceId))
        {
            throw new JsonException("The queue message names no instance ('i').");
        }

        var eventJson = envelope.Blob is { } blob
            ? await DownloadAsync(blob, cancellationToken)
            : envelope.Event?.GetRawText() ?? throw new JsonException("The queue message carries no event ('e') and no blob ('b').");
        var historyEvent = JsonSerializer.Deserialize<HistoryEvent>(eventJson, Json) ?? throw new JsonException("The queue message's event is null.");
        return new TaskMessage(envelope.InstanceId, envelope.ExecutionId, historyEvent);
    }

    /// <summary>Returns the value itself, or a blob reference (<c>blob:</c> prefix) when it is large.</summary>
    public async Task<(string? Inline, string? Blob)> StoreValueAsync(string instanceId, string kind, string? value, CancellationToken cancellationToken)
    {
        // Table string properties hold 64 KB (32K UTF-16 characters); keep well below.
        if (value is null || value.Length <= 30_000)
        {
            return (value, null);
        }

        return (null, await UploadAsync(instanceId, kind, value, cancellationToken));
    }

    public Task<string> DownloadAsync(string blobName, CancellationToken cancellationToken) =>
        DownloadTextAsync(blobName, cancellationToken);

    public async Task DeleteInstanceBlobsAsync(string instanceId, CancellationToken cancellationToken)
    {
        await foreach (var blob in container.ListBlobsAsync($"{instanceId}/", cancellationToken).ConfigureAwait(false))
        {
            await container.GetBlobClient(blob.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<string> UploadAsync(string instanceId, string kind, string content, CancellationToken cancellationToken)
    {
        var name = $"{instanceId}/{kind}-{Guid.NewGuid():N}.json";
        await container.GetBlobClient(name).UploadAsync(content, cancellationToken: cancellationToken).ConfigureAwait(false);
        return name;
    }

    private async Task<string> DownloadTextAsync(string blobName, CancellationToken cancellationToken)
    {
        var result = await container.GetBlobClient(blobName).DownloadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return result.Content.ToString();
    }

    private sealed record Envelope(
        [property: JsonPropertyName("i")] string InstanceId,
        [property: JsonPropertyName("x")] string? ExecutionId,
        [property: JsonPropertyName("e")] JsonElement? Event,
        [property: JsonPropertyName("b")] string? Blob);
}
