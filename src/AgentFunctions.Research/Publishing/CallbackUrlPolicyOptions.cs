using AgentFunctions.Research.Configuration;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Research.Publishing;

/// <summary>
/// Where a run's result may be POSTed (<c>AgentFunctions:Callbacks:*</c>). The defaults are the production ones:
/// https only, public addresses only, any public host.
/// </summary>
public sealed class CallbackUrlPolicyOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string SectionName = "AgentFunctions:Callbacks";

    /// <summary>Configuration key of <see cref="AllowPrivateNetworks"/>.</summary>
    public const string AllowPrivateNetworksKey = SectionName + ":" + nameof(AllowPrivateNetworks);

    /// <summary>Configuration key of <see cref="AllowHttp"/>.</summary>
    public const string AllowHttpKey = SectionName + ":" + nameof(AllowHttp);

    /// <summary>Configuration key of <see cref="AllowedHosts"/>.</summary>
    public const string AllowedHostsKey = SectionName + ":" + nameof(AllowedHosts);

    /// <summary>
    /// Whether callbacks may reach loopback, RFC 1918 private, carrier-grade NAT (100.64.0.0/10) and IPv6 unique-local
    /// addresses, and local-style names (<c>localhost</c>, single-label names, <c>.internal</c>, ...). For local
    /// development and tests only. Link-local (cloud metadata), multicast, unspecified and reserved addresses stay
    /// refused even then. Default false.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Whether plain <c>http</c> callback URLs are accepted; otherwise only <c>https</c>. Default false.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// When not empty, the only hosts a callback may name: exact names (<c>hooks.example.com</c>) or
    /// <c>*.example.com</c> for any name under <c>example.com</c> (not <c>example.com</c> itself). The list narrows
    /// what is allowed; it never lets a name through to a private address. Empty by default (any public host).
    /// </summary>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>
    /// Reads <c>AgentFunctions:Callbacks</c>. <c>AllowedHosts</c> may be a comma-separated value (as an environment
    /// variable is) or an array (<c>AllowedHosts:0</c>, <c>AllowedHosts:1</c>, ...).
    /// </summary>
    /// <param name="configuration">The configuration.</param>
    /// <exception cref="InvalidSettingException">A value is malformed; the message names the key.</exception>
    public static CallbackUrlPolicyOptions Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new CallbackUrlPolicyOptions
        {
            AllowPrivateNetworks = ReadBool(configuration, AllowPrivateNetworksKey),
            AllowHttp = ReadBool(configuration, AllowHttpKey),
        };
        if (configuration[AllowedHostsKey] is { } list)
        {
            foreach (var host in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                options.AllowedHosts.Add(host);
            }
        }

        foreach (var child in configuration.GetSection(AllowedHostsKey).GetChildren())
        {
            if (!string.IsNullOrWhiteSpace(child.Value))
            {
                options.AllowedHosts.Add(child.Value.Trim());
            }
        }

        return options;
    }

    private static bool ReadBool(IConfiguration configuration, string key)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        return bool.TryParse(text.Trim(), out var value)
            ? value
            : throw new InvalidSettingException(key, $"'{text}' is not true or false.");
    }
}
