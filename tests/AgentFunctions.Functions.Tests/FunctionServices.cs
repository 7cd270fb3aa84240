using AgentFunctions.Host.Hosting;
using AgentFunctions.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Functions.Tests;

/// <summary>The Functions app's own service registrations, with test settings, for creating function classes.</summary>
internal static class FunctionServices
{
    public const string WebhookSecret = "functions-test-webhook-secret";

    /// <summary>The configuration key of the task hub name, as the Functions host passes host.json to the worker.</summary>
    public const string HubNameKey = "AzureFunctionsJobHost:extensions:durableTask:hubName";

    /// <summary>
    /// Test settings over <paramref name="extra"/>. Storage is the shared Azurite and the hub one of its own, as the
    /// app always has an AzureWebJobsStorage and keeps its idempotency keys and deliveries there.
    /// </summary>
    public static Dictionary<string, string?> Settings(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AgentFunctions:Review:WebhookSecret"] = WebhookSecret,
            ["AgentFunctions:Review:LinkSecret"] = "functions-test-link-secret-0123456789",
            ["AgentFunctions:Http:MaxRequestBodyBytes"] = "2048",
            ["AzureWebJobsStorage"] = SharedAzurite.GetConnectionStringAsync().GetAwaiter().GetResult(),
            [HubNameKey] = SharedAzurite.UniqueHubName("Functions"),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    public static IServiceCollection Add(IServiceCollection services, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(extra)).Build();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(configuration);
        return services.AddAgentFunctionsServices(configuration);
    }

    /// <summary>Builds the app's services and creates its tables, as the worker's start does.</summary>
    public static ServiceProvider Build(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var services = Add(new ServiceCollection(), extra).BuildServiceProvider();

        // Only the table initializer is started: the other hosted services (the sweeper) would outlive the test.
        foreach (var initializer in services.GetServices<IHostedService>().OfType<HostTablesInitializer>())
        {
            initializer.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        return services;
    }

    public static T Create<T>(IServiceProvider services) => ActivatorUtilities.CreateInstance<T>(services);
}
