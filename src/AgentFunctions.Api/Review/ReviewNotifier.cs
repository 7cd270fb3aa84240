using System.Globalization;
using System.Text.Json;
using AgentFunctions.Host.Approvals;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Host.Review;

/// <summary>
/// The host's reviewer notification: logs the signed review link and, when
/// <c>AgentFunctions:Review:NotifyUrl</c> is set, POSTs <c>{instanceId, question, draftTitle, reviewUrl,
/// expiresAt}</c> there, signed like the inbound webhook (first webhook secret) with a delivery id derived
/// from the instance, so a repeated activity produces a duplicate the receiver can drop.
/// </summary>
internal sealed class ReviewNotifier(
    HostSettings settings,
    ReviewLinkSigner signer,
    PublicBaseUri baseUri,
    HttpClient http,
    TimeProvider time,
    ILogger<ReviewNotifier> logger) : IReviewNotifier
{
    public async Task<Uri> NotifyReviewerAsync(ReviewNotice notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        using var scope = logger.BeginScope("InstanceId:{InstanceId}", notice.InstanceId);
        var expires = time.GetUtcNow().Add(signer.Ttl);
        var link = ReviewLinks.Review(baseUri.Get(), notice.InstanceId, signer.Sign(LinkPurpose.View, notice.InstanceId, expires));
        logger.LogInformation("Run {InstanceId} awaits review: {ReviewUrl} (link valid until {Expires:u})", notice.InstanceId, link, expires);

        if (settings.Review.NotifyUrl is not { } target)
        {
            return link;
        }

        if (settings.Review.WebhookSecrets.Count == 0)
        {
            logger.LogWarning("AgentFunctions:Review:NotifyUrl is set but AgentFunctions:Review:WebhookSecret is not; the notification is not sent unsigned.");
            return link;
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(
            new { instanceId = notice.InstanceId, question = notice.Question, draftTitle = notice.DraftTitle, reviewUrl = link, expiresAt = expires });
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.CreateHeader(settings.Review.WebhookSecrets[0], timestamp, body));
        request.Headers.Add(WebhookSignature.DeliveryHeader, string.Create(CultureInfo.InvariantCulture, $"review-requested-{notice.InstanceId}"));
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // Thrown so the activity's retry policy retries the notification.
            throw new HttpRequestException($"Reviewer notification to {target} answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
        }

        logger.LogInformation("Reviewer notification for {InstanceId} delivered to {NotifyUrl}", notice.InstanceId, target);
        return link;
    }
}
