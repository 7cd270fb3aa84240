using System.Text.Encodings.Web;

namespace AgentFunctions.Host.Review;

/// <summary>The review page's URLs.</summary>
internal static class ReviewLinks
{
    public static Uri Review(Uri baseUri, string instanceId, string token) =>
        new(baseUri, ReviewPath(instanceId, token));

    public static string ReviewPath(string instanceId, string token) =>
        $"/review/{UrlEncoder.Default.Encode(instanceId)}?token={UrlEncoder.Default.Encode(token)}";
}
