using AgentFunctions.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Host.Tests.Unit;

public sealed class OperationsSettingsTests
{
    [Fact]
    public void Load_Unset_UsesTheDocumentedDefault()
    {
        var settings = HostSettings.Load(Configuration());

        Assert.Equal(new OperationsSettings(0.002m, "USD"), settings.Operations);
    }

    [Fact]
    public void Load_PriceAndCurrency_AreRead()
    {
        var settings = HostSettings.Load(Configuration(("AgentFunctions:Operations:CostPer1KTokens", "0.0125"), ("AgentFunctions:Operations:Currency", "EUR")));

        Assert.Equal(new OperationsSettings(0.0125m, "EUR"), settings.Operations);
    }

    [Theory]
    [InlineData("AgentFunctions:Operations:CostPer1KTokens", "cheap")]
    [InlineData("AgentFunctions:Operations:CostPer1KTokens", "0,002")]
    [InlineData("AgentFunctions:Operations:CostPer1KTokens", "-1")]
    [InlineData("AgentFunctions:Operations:Currency", "dollars")]
    public void Load_BadValue_FailsNamingTheKey(string key, string value)
    {
        var error = Assert.Throws<HostConfigurationException>(() => HostSettings.Load(Configuration((key, value))));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
