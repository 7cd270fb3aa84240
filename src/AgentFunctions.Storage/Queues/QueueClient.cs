using System.Globalization;
using System.Security;
using System.Xml.Linq;
using AgentFunctions.Storage.Internal;

namespace AgentFunctions.Storage.Queues;

/// <summary>
/// One storage queue: send, receive, peek, update and delete messages. Thread-safe; get it from
/// <see cref="StorageAccountClient.GetQueueClient"/>.
/// </summary>
/// <remarks>
/// A send that fails transiently is retried, so a message can, rarely, be enqueued twice; consumers must be
/// idempotent, as with every at-least-once queue.
/// </remarks>
public sealed class QueueClient
{
    private static readonly TimeSpan _maxVisibility = TimeSpan.FromDays(7);

    private readonly StoragePipeline _pipeline;
    private readonly string _escapedName;

    internal QueueClient(StoragePipeline pipeline, Uri endpoint, string name, QueueMessageEncoding encoding)
    {
        StorageNames.ValidateQueueName(name);
        _pipeline = pipeline;
        Name = name;
        Encoding = encoding;
        _escapedName = Uri.EscapeDataString(name);
        Uri = StorageUri.Combine(endpoint, _escapedName);
    }

    /// <summary>The queue name.</summary>
    public string Name { get; }

    /// <summary>The queue URI.</summary>
    public Uri Uri { get; }

    /// <summary>How message bodies are encoded.</summary>
    public QueueMessageEncoding Encoding { get; }

    private string Resource => $"queue '{Name}'";

    /// <summary>Creates the queue unless it exists.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True when this call created it.</returns>
    public async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        var request = new StorageRequest(StorageService.Queue, HttpMethod.Put, Uri, Resource);
        var response = await _pipeline.SendAsync(request, cancellationToken);
        return response.Status == 201;
    }

    /// <summary>Deletes the queue and its messages.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="StorageRequestFailedException">404 QueueNotFound when it does not exist.</exception>
    /// <returns>A task.</returns>
    public Task DeleteAsync(CancellationToken cancellationToken = default) =>
        _pipeline.SendAsync(new StorageRequest(StorageService.Queue, HttpMethod.Delete, Uri, Resource), cancellationToken);

    /// <summary>Deletes the queue if it exists.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True when it existed.</returns>
    public async Task<bool> DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        var request = new StorageRequest(StorageService.Queue, HttpMethod.Delete, Uri, Resource);
        var response = await _pipeline.SendRawAsync(request, cancellationToken);
        if (response.Status == 404)
        {
            return false;
        }

        StoragePipeline.ThrowIfFailed(request, response);
        return true;
    }

    /// <summary>Sends a message.</summary>
    /// <param name="body">The body text; encoded per <see cref="Encoding"/>, at most 64 KiB after encoding.</param>
    /// <param name="visibilityDelay">How long the message stays invisible first (0 to 7 days; default 0).</param>
    /// <param name="timeToLive">How long it lives (default 7 days); <see cref="Timeout.InfiniteTimeSpan"/> for never expiring.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The new message's id and pop receipt.</returns>
    /// <exception cref="ArgumentException">The message is over 64 KiB after encoding; no request is sent.</exception>
    public async Task<QueueSendReceipt> SendMessageAsync(
        string body, TimeSpan? visibilityDelay = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        var text = QueueMessageCodec.Encode(body, Encoding);
        if (visibilityDelay is { } delay)
        {
            ValidateRange(delay, TimeSpan.Zero, _maxVisibility, nameof(visibilityDelay));
        }

        if (timeToLive is { } ttl && ttl != Timeout.InfiniteTimeSpan)
        {
            ValidateRange(ttl, TimeSpan.FromSeconds(1), TimeSpan.MaxValue, nameof(timeToLive));
            if (visibilityDelay is { } d && d >= ttl)
            {
                throw new ArgumentOutOfRangeException(nameof(visibilityDelay), "The visibility delay must be shorter than the time to live.");
            }
        }

        var uri = StorageUri.Combine(
            Uri, "messages",
            ("visibilitytimeout", Seconds(visibilityDelay)),
            ("messagettl", timeToLive == Timeout.InfiniteTimeSpan ? "-1" : Seconds(timeToLive)));
        var request = new StorageRequest(StorageService.Queue, HttpMethod.Post, uri, Resource)
        {
            Content = MessageXml(text),
            ContentType = "application/xml",
        };
        var response = await _pipeline.SendAsync(request, cancellationToken);
        var message = ParseMessages(response).Single();
        return new QueueSendReceipt(
            Required(message, "MessageId"), Required(message, "PopReceipt"), Date(message, "InsertionTime"),
            Date(message, "ExpirationTime"), Date(message, "TimeNextVisible"));
    }

    /// <summary>Receives up to <paramref name="maxMessages"/> messages, hiding them for <paramref name="visibilityTimeout"/>.</summary>
    /// <param name="maxMessages">1 to 32.</param>
    /// <param name="visibilityTimeout">How long they stay hidden (1 s to 7 days; default 30 s).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The messages; empty when none are visible.</returns>
    public async Task<IReadOnlyList<QueueMessage>> ReceiveMessagesAsync(
        int maxMessages = 1, TimeSpan? visibilityTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, 32);
        var visibility = visibilityTimeout ?? TimeSpan.FromSeconds(30);
        ValidateRange(visibility, TimeSpan.FromSeconds(1), _maxVisibility, nameof(visibilityTimeout));
        var uri = StorageUri.Combine(
            Uri, "messages",
            ("numofmessages", maxMessages.ToString(CultureInfo.InvariantCulture)),
            ("visibilitytimeout", Seconds(visibility)));
        var response = await _pipeline.SendAsync(new StorageRequest(StorageService.Queue, HttpMethod.Get, uri, Resource), cancellationToken);
        return ParseMessages(response)
            .Select(m => new QueueMessage(
                Required(m, "MessageId"), Required(m, "PopReceipt"), DequeueCount(m), Date(m, "InsertionTime"),
                Date(m, "ExpirationTime"), Date(m, "TimeNextVisible"), m.Element("MessageText")?.Value ?? string.Empty, Encoding))
            .ToList();
    }

    /// <summary>Looks at up to <paramref name="maxMessages"/> visible messages without receiving them.</summary>
    /// <param name="maxMessages">1 to 32.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The messages at the front of the queue.</returns>
    public async Task<IReadOnlyList<PeekedQueueMessage>> PeekMessagesAsync(int maxMessages = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, 32);
        var uri = StorageUri.Combine(
            Uri, "messages", ("peekonly", "true"), ("numofmessages", maxMessages.ToString(CultureInfo.InvariantCulture)));
        var response = await _pipeline.SendAsync(new StorageRequest(StorageService.Queue, HttpMethod.Get, uri, Resource), cancellationToken);
        return ParseMessages(response)
            .Select(m => new PeekedQueueMessage(
                Required(m, "MessageId"), DequeueCount(m), Date(m, "InsertionTime"), Date(m, "ExpirationTime"),
                m.Element("MessageText")?.Value ?? string.Empty, Encoding))
            .ToList();
    }

    /// <summary>
    /// Changes a received message's visibility (to extend processing time, or 0 to release it at once) and
    /// optionally its body.
    /// </summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="popReceipt">The current pop receipt.</param>
    /// <param name="visibilityTimeout">From now until visible again (0 to 7 days).</param>
    /// <param name="newBody">A replacement body, or null to keep it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The new pop receipt (the old one stops working) and the new visibility time.</returns>
    /// <exception cref="StorageRequestFailedException">404 MessageNotFound when the receipt is stale.</exception>
    public async Task<QueueUpdateReceipt> UpdateMessageAsync(
        string messageId, string popReceipt, TimeSpan visibilityTimeout, string? newBody = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        ValidateRange(visibilityTimeout, TimeSpan.Zero, _maxVisibility, nameof(visibilityTimeout));
        var text = newBody is null ? null : QueueMessageCodec.Encode(newBody, Encoding);
        var uri = StorageUri.Combine(
            Uri, "messages/" + Uri.EscapeDataString(messageId),
            ("popreceipt", popReceipt), ("visibilitytimeout", Seconds(visibilityTimeout)));
        var request = new StorageRequest(StorageService.Queue, HttpMethod.Put, uri, $"message '{messageId}' in {Resource}")
        {
            Content = text is null ? ReadOnlyMemory<byte>.Empty : MessageXml(text),
            ContentType = text is null ? null : "application/xml",
        };
        var response = await _pipeline.SendAsync(request, cancellationToken);
        return new QueueUpdateReceipt(
            response.RequiredHeader("x-ms-popreceipt"),
            DateTimeOffset.ParseExact(response.RequiredHeader("x-ms-time-next-visible"), "R", CultureInfo.InvariantCulture));
    }

    /// <summary>Deletes a received message.</summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="popReceipt">The current pop receipt.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task.</returns>
    /// <exception cref="StorageRequestFailedException">404 MessageNotFound when the receipt is stale or the message gone.</exception>
    public Task DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        var uri = StorageUri.Combine(Uri, "messages/" + Uri.EscapeDataString(messageId), ("popreceipt", popReceipt));
        return _pipeline.SendAsync(
            new StorageRequest(StorageService.Queue, HttpMethod.Delete, uri, $"message '{messageId}' in {Resource}"), cancellationToken);
    }

    /// <summary>Reads the queue's approximate message count.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The properties.</returns>
    public async Task<QueueProperties> GetPropertiesAsync(CancellationToken cancellationToken = default)
    {
        var uri = StorageUri.Combine(Uri, string.Empty, ("comp", "metadata"));
        var response = await _pipeline.SendAsync(new StorageRequest(StorageService.Queue, HttpMethod.Get, uri, Resource), cancellationToken);
        return new QueueProperties(long.Parse(response.RequiredHeader("x-ms-approximate-messages-count"), CultureInfo.InvariantCulture));
    }

    /// <summary>Deletes every message in the queue.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task.</returns>
    public Task ClearMessagesAsync(CancellationToken cancellationToken = default) =>
        _pipeline.SendAsync(
            new StorageRequest(StorageService.Queue, HttpMethod.Delete, StorageUri.Combine(Uri, "messages"), Resource), cancellationToken);

    private static ReadOnlyMemory<byte> MessageXml(string text) =>
        System.Text.Encoding.UTF8.GetBytes($"<QueueMessage><MessageText>{SecurityElement.Escape(text)}</MessageText></QueueMessage>");

    private static IEnumerable<XElement> ParseMessages(StorageResponse response)
    {
        var xml = XDocument.Parse(System.Text.Encoding.UTF8.GetString(response.Body));
        return xml.Root?.Elements("QueueMessage") ?? [];
    }

    private static string Required(XElement message, string name) =>
        message.Element(name)?.Value ?? throw new InvalidDataException($"The queue response lacks <{name}>.");

    private static DateTimeOffset Date(XElement message, string name) =>
        DateTimeOffset.ParseExact(Required(message, name), "R", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static long DequeueCount(XElement message) =>
        long.Parse(Required(message, "DequeueCount"), CultureInfo.InvariantCulture);

    private static string? Seconds(TimeSpan? value) =>
        value is { } v ? ((long)Math.Ceiling(v.TotalSeconds)).ToString(CultureInfo.InvariantCulture) : null;

    private static void ValidateRange(TimeSpan value, TimeSpan min, TimeSpan max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}.");
        }
    }
}
