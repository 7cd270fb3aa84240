using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Storage;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Host.Tests.Unit;

public sealed class StorageAccountFactoryTests
{
    private const string AzureAccount =
        "DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=" + StorageConnectionString.DevelopmentAccountKey + ";EndpointSuffix=core.windows.net";

    private const string ExplicitEmulator =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + StorageConnectionString.DevelopmentAccountKey
        + ";BlobEndpoint=http://127.0.0.1:41000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:41001/devstoreaccount1;TableEndpoint=http://127.0.0.1:41002/devstoreaccount1";

    [Theory]
    [InlineData(null, StorageAccountFactory.EmulatorBackgroundInFlightWhileForeground)]
    [InlineData("UseDevelopmentStorage=true", StorageAccountFactory.EmulatorBackgroundInFlightWhileForeground)]
    [InlineData(ExplicitEmulator, StorageAccountFactory.EmulatorBackgroundInFlightWhileForeground)]
    [InlineData(AzureAccount, 4)]
    public void Create_BackgroundLimitWhileForeground_DefaultsLowerOnTheEmulatorOnly(string? connectionString, int expected)
    {
        using var account = StorageAccountFactory.Create(Configuration(("AzureWebJobsStorage", connectionString)));

        Assert.Equal(expected, account.Options.MaxBackgroundInFlightWhileForeground);
        Assert.Equal(new StorageClientOptions().MaxBackgroundInFlight, account.Options.MaxBackgroundInFlight);
    }

    [Theory]
    [InlineData("UseDevelopmentStorage=true")]
    [InlineData(AzureAccount)]
    public void Create_BackgroundLimitWhileForeground_SettingWinsOverEitherDefault(string connectionString)
    {
        using var account = StorageAccountFactory.Create(Configuration(
            ("AzureWebJobsStorage", connectionString), ("AgentFunctions:Storage:MaxBackgroundInFlightWhileForeground", "7")));

        Assert.Equal(7, account.Options.MaxBackgroundInFlightWhileForeground);
    }

    [Fact]
    public void Create_BackgroundLimitWhileForegroundOutOfRange_FailsNamingTheKey()
    {
        var ex = Assert.Throws<HostConfigurationException>(() => StorageAccountFactory.Create(Configuration(
            ("AzureWebJobsStorage", "UseDevelopmentStorage=true"), ("AgentFunctions:Storage:MaxBackgroundInFlightWhileForeground", "0"))));

        Assert.Contains("AgentFunctions:Storage:MaxBackgroundInFlightWhileForeground", ex.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
