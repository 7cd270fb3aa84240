using System.Security.Cryptography;
using System.Text;
using AgentFunctions.Host.Approvals;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Research;
using AgentFunctions.Host.Review;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentFunctions.Host.Hosting;

/// <summary>Registers what the HTTP front door needs besides a durable client, the same way in both hosts.</summary>
public static class FrontDoorRegistration
{
    /// <summary>
    /// Registers the settings, the in-memory idempotency store and delivery log (unless a durable one was registered
    /// first), the review link signer and the reviewer notifier. The <c>DurableTaskClient</c>-bound services
    /// (<c>ResearchSubmitter</c>, <c>ReviewDecisionGate</c>) are the host's to add: the local host has one client,
    /// a Functions invocation gets its own from the <c>[DurableClient]</c> binding.
    /// </summary>
    public static IServiceCollection AddResearchFrontDoor(this IServiceCollection services, HostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.TryAddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);

        // Durable implementations, when a backend registered them, take precedence over these.
        services.TryAddSingleton<IIdempotencyStore>(sp => new InMemoryIdempotencyStore(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IDeliveryLog>(sp => new InMemoryDeliveryLog(sp.GetRequiredService<TimeProvider>(), settings.Review.DeliveryRetention));

        var linkKey = settings.Review.LinkSecret is null ? RandomNumberGenerator.GetBytes(32) : Encoding.UTF8.GetBytes(settings.Review.LinkSecret);
        services.AddSingleton(sp => new ReviewLinkSigner(linkKey, settings.Review.LinkTtl, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<PublicBaseUri>();
        services.AddHttpClient<IReviewNotifier, ReviewNotifier>(http => http.Timeout = TimeSpan.FromSeconds(30))

            // A redirect would carry the signed notice, review link included, to a target the operator never named.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        return services;
    }
}
