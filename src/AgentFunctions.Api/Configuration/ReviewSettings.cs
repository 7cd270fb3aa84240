namespace AgentFunctions.Host.Configuration;

/// <summary>Reviewer webhook, signed link and notification settings (<c>AgentFunctions:Review:*</c>).</summary>
/// <param name="WebhookSecrets">HMAC secrets of the reviewer webhook; the first also signs outgoing notifications.</param>
/// <param name="LinkSecret">HMAC secret of review links; null means one is generated at startup.</param>
/// <param name="LinkTtl">How long a review link stays valid.</param>
/// <param name="SignatureTolerance">Largest accepted difference between a webhook timestamp and now.</param>
/// <param name="NotifyUrl">Where reviewer notifications are POSTed, if anywhere.</param>
/// <param name="PublicBaseUrl">The base URL links are built on; null means the address the host listens on.</param>
public sealed record ReviewSettings(
    IReadOnlyList<string> WebhookSecrets,
    string? LinkSecret,
    TimeSpan LinkTtl,
    TimeSpan SignatureTolerance,
    Uri? NotifyUrl,
    Uri? PublicBaseUrl)
{
    /// <summary>Default of <see cref="DeliveryRetention"/>: longer than any sender keeps retrying.</summary>
    public static readonly TimeSpan DefaultDeliveryRetention = TimeSpan.FromDays(3);

    /// <summary>
    /// <c>AgentFunctions:Review:DeliveryRetention</c>: how long an accepted webhook delivery id is remembered.
    /// At least twice <see cref="SignatureTolerance"/>, because a signature stamped up to the tolerance ahead
    /// of the host's clock stays valid that long; a replay after that fails its signature check anyway.
    /// </summary>
    public TimeSpan DeliveryRetention { get; init; } = DefaultDeliveryRetention;

    internal static ReviewSettings Load(SettingReader read)
    {
        var settings = Read(read);
        const string key = "AgentFunctions:Review:DeliveryRetention";
        var retention = read.Duration(key, DefaultDeliveryRetention, TimeSpan.FromSeconds(2), TimeSpan.FromDays(30));
        return retention < 2 * settings.SignatureTolerance
            ? throw new HostConfigurationException(
                key, $"{retention} is shorter than twice AgentFunctions:Review:SignatureTolerance ({2 * settings.SignatureTolerance}): a replayed delivery could still carry a valid signature after its id is forgotten.")
            : settings with { DeliveryRetention = retention };
    }

    private static ReviewSettings Read(SettingReader read) => new(
        read.List("AgentFunctions:Review:WebhookSecret"),
        read.String("AgentFunctions:Review:LinkSecret") is { } secret && secret.Length < 16
            ? throw new HostConfigurationException("AgentFunctions:Review:LinkSecret", "must be at least 16 characters; leave it unset to have one generated at startup.")
            : read.String("AgentFunctions:Review:LinkSecret"),
        read.Duration("AgentFunctions:Review:LinkTtl", TimeSpan.FromDays(7), TimeSpan.FromMinutes(1), TimeSpan.FromDays(90)),
        read.Duration("AgentFunctions:Review:SignatureTolerance", TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
        OperatorNotifyUrl(read, "AgentFunctions:Review:NotifyUrl"),
        AbsoluteHttpUrl(read, "AgentFunctions:Review:PublicBaseUrl"));

    /// <summary>
    /// The reviewer notification target. Unlike a request's <c>callbackUrl</c> it is not held to the callback policy's
    /// address rules: the operator sets it, no submitter can change it, and a relay on the private network (a chat
    /// bridge inside the VNet, a sidecar on localhost) is a legitimate target. What is refused is what is never right:
    /// credentials in the URL, which HttpClient would not send as authentication and the notifier would write to its
    /// logs. The notifier does not follow redirects either (see its HttpClient registration).
    /// </summary>
    private static Uri? OperatorNotifyUrl(SettingReader read, string key)
    {
        var uri = AbsoluteHttpUrl(read, key);
        return uri is { UserInfo.Length: > 0 }
            ? throw new HostConfigurationException(key, "must not carry user information (user:password@); the notification is authenticated by its signature.")
            : uri;
    }

    private static Uri? AbsoluteHttpUrl(SettingReader read, string key)
    {
        var text = read.String(key);
        if (text is null)
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new HostConfigurationException(key, $"'{text}' is not an absolute http(s) URL.");
    }
}
