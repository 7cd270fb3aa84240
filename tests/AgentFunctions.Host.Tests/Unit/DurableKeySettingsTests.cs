using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Host.Tests.Unit;

public sealed class DurableKeySettingsTests
{
    [Fact]
    public void Load_Defaults_KeepKeysADayAndDeliveryIdsThreeDays()
    {
        var settings = HostSettings.Load(new ConfigurationBuilder().Build());

        Assert.Equal(TimeSpan.FromHours(24), settings.IdempotencyRetention);
        Assert.Equal(TimeSpan.FromDays(3), settings.Review.DeliveryRetention);
    }

    [Fact]
    public void Load_DeliveryRetentionShorterThanTwiceSignatureTolerance_FailsNamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentFunctions:Review:SignatureTolerance"] = "00:05:00",
            ["AgentFunctions:Review:DeliveryRetention"] = "00:09:59",
        }).Build();

        var ex = Assert.Throws<HostConfigurationException>(() => HostSettings.Load(configuration));

        Assert.Equal("AgentFunctions:Review:DeliveryRetention", ex.Key);
        Assert.Contains("SignatureTolerance", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DeliveryRetentionSet_IsUsed()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentFunctions:Review:DeliveryRetention"] = "00:10:00",
        }).Build();

        Assert.Equal(TimeSpan.FromMinutes(10), HostSettings.Load(configuration).Review.DeliveryRetention);
    }

    [Theory]
    [InlineData("HostTestsHub")]
    [InlineData("A23456789012345678901234567890123456789012345")]
    public void HostTableNames_ValidHub_NamesValidTablesAfterTheHub(string hub)
    {
        var names = new HostTableNames(hub);

        Assert.Equal($"{hub}Idempotency", names.Idempotency);
        Assert.Equal($"{hub}Deliveries", names.Deliveries);
        // Azure's rule for table names, written out here so the test does not check the code against itself.
        Assert.Matches("^[A-Za-z][A-Za-z0-9]{2,62}$", names.Idempotency);
        Assert.Matches("^[A-Za-z][A-Za-z0-9]{2,62}$", names.Deliveries);
    }

    [Fact]
    public void HostTableNames_InvalidHub_FailsNamingTheHubSetting()
    {
        var ex = Assert.Throws<HostConfigurationException>(() => new HostTableNames("bad-hub"));

        Assert.Contains("hubName", ex.Key, StringComparison.Ordinal);
    }
}
