using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace AgentFunctions.Research.Publishing;

/// <summary>
/// Decides whether a run may POST its result to a URL the submitter named: the guard against server-side request
/// forgery through <c>callbackUrl</c>. <see cref="IsAllowed(Uri, out string?)"/> judges the URL as written (scheme,
/// user information, allow-list, a literal address or a local-style name) without any DNS lookup, so it can answer a
/// submission at once; <see cref="IsAllowed(IPAddress, out string?)"/> judges each address a name resolves to, and
/// <see cref="HttpCallbackSender"/> applies it to the very addresses it connects to.
/// </summary>
public sealed class CallbackUrlPolicy
{
    // Names that lead to this host or a private network without asking public DNS: RFC 6761 localhost, mDNS .local,
    // ICANN's private-use .internal, home.arpa, and suffixes that were never delegated and are common on intranets.
    private static readonly string[] LocalSuffixes = ["localhost", "local", "localdomain", "internal", "home.arpa", "home", "lan", "corp", "intranet"];
    private static readonly string[] LoopbackNames = ["ip6-localhost", "ip6-loopback"];

    private readonly bool _allowPrivate;
    private readonly bool _allowHttp;
    private readonly HashSet<string> _exactHosts = new(StringComparer.Ordinal);
    private readonly List<string> _suffixes = [];

    /// <summary>Creates the policy.</summary>
    /// <param name="options">The options; <see cref="CallbackUrlPolicyOptions.AllowedHosts"/> entries are checked here.</param>
    /// <exception cref="ArgumentException">An allowed-hosts entry is neither a host name nor <c>*.suffix</c>; the message names the key.</exception>
    public CallbackUrlPolicy(CallbackUrlPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _allowPrivate = options.AllowPrivateNetworks;
        _allowHttp = options.AllowHttp;
        foreach (var entry in options.AllowedHosts)
        {
            var wildcard = entry.StartsWith("*.", StringComparison.Ordinal);
            var name = NormalizeHost(wildcard ? entry[2..] : entry);
            if (name.Length == 0 || name.Contains('*', StringComparison.Ordinal) || Uri.CheckHostName(name) == UriHostNameType.Unknown)
            {
                throw new Configuration.InvalidSettingException(
                    CallbackUrlPolicyOptions.AllowedHostsKey, $"the entry '{entry}' is not a host name, an IP address or '*.suffix' (such as *.example.com).");
            }

            if (wildcard)
            {
                _suffixes.Add("." + name);
            }
            else
            {
                _exactHosts.Add(name);
            }
        }
    }

    /// <summary>The production policy: https only, public addresses only, any host.</summary>
    public static CallbackUrlPolicy Default { get; } = new(new CallbackUrlPolicyOptions());

    /// <summary>Whether loopback, private, shared (CGNAT) and unique-local targets are allowed.</summary>
    public bool AllowsPrivateNetworks => _allowPrivate;

    /// <summary>Whether plain http callback URLs are accepted.</summary>
    public bool AllowsHttp => _allowHttp;

    /// <summary>The category of <paramref name="address"/>; IPv6 forms holding an IPv4 address are judged by that address.</summary>
    /// <param name="address">The address.</param>
    public static AddressCategory Classify(IPAddress address) => SpecialAddressRanges.Classify(address).Category;

    /// <summary>
    /// Judges <paramref name="url"/> as written, with no DNS lookup: absolute http(s) (http only when allowed), no user
    /// information, a host in the allow-list when there is one, and unless private networks are allowed neither a
    /// literal non-public address (in any spelling <see cref="Uri"/> or <see cref="IPAddress"/> accepts) nor a
    /// local-style name. A name that passes may still resolve to a refused address; the sender checks that.
    /// </summary>
    /// <param name="url">The URL.</param>
    /// <param name="reason">Why it is refused, naming the setting that would allow it when there is one; null when allowed.</param>
    /// <returns>Whether the URL is allowed.</returns>
    public bool IsAllowed(Uri url, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(url);
        reason = null;
        if (!url.IsAbsoluteUri)
        {
            reason = "it is not an absolute URL";
        }
        else if (url.Scheme == Uri.UriSchemeHttp && !_allowHttp)
        {
            reason = $"it uses http; only https is allowed unless {CallbackUrlPolicyOptions.AllowHttpKey}=true";
        }
        else if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            reason = $"its scheme '{url.Scheme}' is not http or https";
        }
        else if (url.UserInfo.Length > 0)
        {
            reason = "it carries user information (user:password@); credentials do not belong in a callback URL";
        }
        else
        {
            // IdnHost, not Host: Uri leaves some spellings (fullwidth dots, for one) typed as a DNS name while their
            // IDN form, which is what gets resolved and connected to, is a plain IPv4 literal.
            var host = NormalizeHost(url.IdnHost);
            if (host.Length == 0)
            {
                reason = "it has no host";
            }
            else if (!IsListed(host))
            {
                reason = $"host '{host}' is not in {CallbackUrlPolicyOptions.AllowedHostsKey}";
            }
            else if (IPAddress.TryParse(host, out var address))
            {
                reason = Refusal(address) is { } refusal ? $"host '{host}' is {refusal}" : null;
            }
            else if (!_allowPrivate && LocalName(host) is { } local)
            {
                reason = $"host '{host}' {local}; set {CallbackUrlPolicyOptions.AllowPrivateNetworksKey}=true to allow";
            }
        }

        return reason is null;
    }

    /// <summary>Judges one address a callback would connect to.</summary>
    /// <param name="address">The address.</param>
    /// <param name="reason">Why it is refused (<c>10.0.0.5 is a private address (10.0.0.0/8); set ...</c>); null when allowed.</param>
    /// <returns>Whether the address is allowed.</returns>
    public bool IsAllowed(IPAddress address, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(address);
        reason = Refusal(address) is { } refusal ? $"{address} is {refusal}" : null;
        return reason is null;
    }

    /// <summary>Throws unless <paramref name="url"/> is allowed as written (see <see cref="IsAllowed(Uri, out string?)"/>).</summary>
    /// <param name="url">The URL.</param>
    /// <exception cref="CallbackUrlRefusedException">The URL is refused; the message says why.</exception>
    public void EnsureAllowed(Uri url)
    {
        if (!IsAllowed(url, out var reason))
        {
            throw new CallbackUrlRefusedException($"The callback URL {Describe(url)} is refused: {reason}.");
        }
    }

    /// <summary>
    /// The URL without user information, query or fragment, for messages: those parts may carry secrets, and the
    /// messages end up in run statuses and logs.
    /// </summary>
    /// <param name="url">The URL.</param>
    public static string Describe(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.IsAbsoluteUri ? url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped) : url.OriginalString;
    }

    /// <summary>How an address is refused (<c>a private address (10.0.0.0/8); set ... to allow</c>), or null when it is allowed.</summary>
    internal string? Refusal(IPAddress address)
    {
        var (category, range) = SpecialAddressRanges.Classify(address);
        var what = category switch
        {
            AddressCategory.Public => null,
            AddressCategory.Loopback => "a loopback address",
            AddressCategory.Private => "a private address",
            AddressCategory.SharedAddressSpace => "a carrier-grade NAT shared address",
            AddressCategory.UniqueLocal => "a unique-local IPv6 address",
            AddressCategory.LinkLocal => "a link-local address (cloud metadata services live there)",
            AddressCategory.Multicast => "a multicast address",
            AddressCategory.Unspecified => "an unspecified address",
            _ => "a reserved address",
        };
        if (what is null)
        {
            return null;
        }

        if (category is AddressCategory.Loopback or AddressCategory.Private or AddressCategory.SharedAddressSpace or AddressCategory.UniqueLocal)
        {
            return _allowPrivate ? null : $"{what} ({range}); set {CallbackUrlPolicyOptions.AllowPrivateNetworksKey}=true to allow";
        }

        // Link-local stays refused with private networks allowed: local development never needs 169.254.169.254.
        return $"{what} ({range}), which a callback may never reach";
    }

    private static string NormalizeHost(string host)
    {
        var scope = host.IndexOf('%', StringComparison.Ordinal);
        var bare = scope >= 0 ? host[..scope] : host;
        return bare.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
    }

    private static string? LocalName(string host)
    {
        if (LoopbackNames.Contains(host, StringComparer.Ordinal))
        {
            return "is a loopback name";
        }

        foreach (var suffix in LocalSuffixes)
        {
            if (host == suffix || host.EndsWith("." + suffix, StringComparison.Ordinal))
            {
                return suffix == "localhost" ? "is a loopback name" : $"is under '.{suffix}', a local-network name";
            }
        }

        return host.Contains('.', StringComparison.Ordinal)
            ? null
            : "is a single-label name, which resolves through the DNS search list to a local host";
    }

    private bool IsListed(string host) =>
        (_exactHosts.Count == 0 && _suffixes.Count == 0)
        || _exactHosts.Contains(host)
        || _suffixes.Exists(s => host.EndsWith(s, StringComparison.Ordinal));
}
