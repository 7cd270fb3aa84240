using System.Globalization;
using System.Net;
using AgentFunctions.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Host.Hosting;

/// <summary>
/// Chooses the addresses the host listens on: <c>--urls</c>/<c>ASPNETCORE_URLS</c> if given, else
/// local.settings.json <c>Host.LocalHttpPort</c> on 127.0.0.1, else <see cref="DefaultUrl"/>. Without function
/// keys anyone who can reach the port could drive the host, so only loopback addresses are allowed then.
/// </summary>
internal static class ListenAddresses
{
    public const string DefaultUrl = PublicBaseUri.LocalDefaultUrl;

    public static string[] Resolve(IConfiguration configuration, FunctionKeys keys)
    {
        var read = new SettingReader(configuration);
        var explicitUrls = read.String("urls");
        string[] urls;
        if (explicitUrls is not null)
        {
            urls = explicitUrls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        else if (read.String("Host:LocalHttpPort") is not null)
        {
            var port = read.Int("Host:LocalHttpPort", 7071, 1, 65535);
            urls = [string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")];
        }
        else
        {
            urls = [DefaultUrl];
        }

        foreach (var url in urls)
        {
            if (!IsListenUrl(url))
            {
                throw new HostConfigurationException("urls", $"'{url}' is not a listen address such as http://127.0.0.1:7071 (http or https, a host, a port from 1 to 65535).");
            }
        }

        if (!keys.Enabled)
        {
            foreach (var url in urls)
            {
                if (!IsLoopback(url))
                {
                    throw new HostConfigurationException(
                        "urls",
                        $"refusing to listen on '{url}' without function keys: with no keys anyone who reaches that address could start, "
                        + "decide and purge runs. Listen on 127.0.0.1/localhost only, or set AgentFunctions:Keys:Function and AgentFunctions:Keys:System.");
                }
            }
        }

        return urls;
    }

    private static bool IsListenUrl(string url)
    {
        // Kestrel's wildcard hosts are not URI hosts; any host name stands in for them when checking the rest.
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return false;
        }

        var rest = url[(schemeEnd + 3)..];
        foreach (var wildcard in new[] { "*", "+" })
        {
            if (rest.StartsWith(wildcard, StringComparison.Ordinal))
            {
                rest = "wildcard" + rest[1..];
            }
        }

        return Uri.TryCreate(url[..(schemeEnd + 3)] + rest, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && uri.Host.Length > 0
            && uri.AbsolutePath == "/"
            && uri.Port is >= 0 and <= 65535;
    }

    public static bool IsLoopback(string url)
    {
        // Kestrel's wildcards ("*", "+", "0.0.0.0", "[::]") are not valid URI hosts; they all mean every interface.
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        var rest = schemeEnd < 0 ? url : url[(schemeEnd + 3)..];
        var hostEnd = rest.StartsWith('[') ? rest.IndexOf(']', StringComparison.Ordinal) + 1 : rest.IndexOfAny([':', '/']);
        var host = hostEnd <= 0 ? rest : rest[..hostEnd];
        host = host.Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address);
    }
}
