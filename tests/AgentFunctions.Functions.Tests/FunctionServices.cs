using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Functions.Tests;

/// <summary>The Functions app's own service registrations, with test settings, for creating function classes.</summary>
internal static class FunctionServices
{
    public const string WebhookSecret = "functions-test-webhook-secret";

    public static Dictionary<string, string?> Settings(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AgentFunctions:Review:WebhookSecret"] = WebhookSecret,
            ["AgentFunctions:Review:LinkSecret"] = "functions-test-link-secret-0123456789",
            ["AgentFunctions:Http:MaxRequestBodyBytes"] = "2048",
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

    public static ServiceProvider Build(IReadOnlyDictionary<string, string?>? extra = null) =>
        Add(new ServiceCollection(), extra).BuildServiceProvider();

    public static T Create<T>(IServiceProvider services) => ActivatorUtilities.CreateInstance<T>(services);
}
