using AgentFunctions.Host.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace AgentFunctions.Host.Hosting;

/// <summary>
/// The base URL links are built on when there is no request to take it from (notifications):
/// <c>AgentFunctions:Review:PublicBaseUrl</c>, else the first address the server listens on.
/// </summary>
internal sealed class PublicBaseUri(HostSettings settings, IServer? server = null)
{
    /// <summary>Where the local host listens by default, as <c>func start</c> does.</summary>
    public const string LocalDefaultUrl = "http://127.0.0.1:7071";

    public Uri Get()
    {
        if (settings.Review.PublicBaseUrl is { } configured)
        {
            return configured;
        }

        var address = server?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? LocalDefaultUrl;
        return new Uri(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
    }
}
