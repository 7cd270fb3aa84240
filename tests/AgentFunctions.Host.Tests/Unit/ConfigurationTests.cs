using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Durable;
using DurableTask.AzureStorage;
using AgentFunctions.Host.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Host.Tests.Unit;

public sealed class ConfigurationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("agentfunctions-config-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void AddFunctionsConfiguration_ValuesWithDoubleUnderscoreOrColon_MapToSections()
    {
        File.WriteAllText(Path.Combine(_root, "local.settings.json"), """
            { "IsEncrypted": false, "Values": { "AgentFunctions__Review__LinkTtl": "1.00:00:00", "AgentFunctions:Keys:Function": "k1,k2", "Plain": 5 },
              "Host": { "LocalHttpPort": 7099 } }
            """);

        var configuration = Build();

        Assert.Equal("1.00:00:00", configuration["AgentFunctions:Review:LinkTtl"]);
        Assert.Equal("k1,k2", configuration["AgentFunctions:Keys:Function"]);
        Assert.Equal("5", configuration["Plain"]);
        Assert.Equal("7099", configuration["Host:LocalHttpPort"]);
        Assert.Equal(["k1", "k2"], HostSettings.Load(configuration).Keys.Function);
    }

    [Fact]
    public void AddFunctionsConfiguration_HostJson_MountedUnderJobHostWithLogLevels()
    {
        File.WriteAllText(Path.Combine(_root, "host.json"), """
            { "version": "2.0", "logging": { "logLevel": { "default": "Warning" } }, "extensions": { "durableTask": { "hubName": "MyHub" } } }
            """);

        var configuration = Build();

        Assert.Equal("MyHub", configuration["AzureFunctionsJobHost:extensions:durableTask:hubName"]);
        Assert.Equal("Warning", configuration["Logging:LogLevel:Default"]);
        Assert.Equal("MyHub", HostSettings.Load(configuration).DurableTask.HubName);
    }

    [Fact]
    public void AddFunctionsConfiguration_EncryptedSettings_AreRefused()
    {
        File.WriteAllText(Path.Combine(_root, "local.settings.json"), """{ "IsEncrypted": true, "Values": {} }""");

        var ex = Assert.Throws<HostConfigurationException>(Build);

        Assert.Contains("IsEncrypted", ex.Key, StringComparison.Ordinal);
    }

    [Fact]
    public void AddFunctionsConfiguration_InvalidJson_NamesTheFile()
    {
        File.WriteAllText(Path.Combine(_root, "host.json"), "{ not json");

        var ex = Assert.Throws<HostConfigurationException>(Build);

        Assert.Equal("host.json", ex.Key);
    }

    [Fact]
    public void Load_InMemoryBackend_FailsNamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AgentFunctions:Backend"] = "InMemory" }).Build();

        var ex = Assert.Throws<HostConfigurationException>(() => HostSettings.Load(configuration));

        Assert.Equal("AgentFunctions:Backend", ex.Key);
        Assert.Contains("Azure Storage", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_HostJsonSilent_UsesLocalEngineDefaults()
    {
        var settings = HostSettings.Load(new ConfigurationBuilder().Build());

        Assert.Equal(4, settings.DurableTask.PartitionCount);
        Assert.Equal(TimeSpan.FromMilliseconds(100), settings.DurableTask.MaxQueuePollingInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.DurableTask.ControlQueueVisibilityTimeout);
        Assert.True(settings.DurableTask.ExtendedSessionsEnabled);
    }

    [Fact]
    public void CreateSettings_HostJsonSilent_LeasesLetARestartedHostTakeOverWithinTenSeconds()
    {
        var durable = HostSettings.Load(new ConfigurationBuilder().Build()).DurableTask;

        var engine = TaskHubEngine.CreateSettings(durable, new StorageAccountClientProvider("UseDevelopmentStorage=true"), NullLoggerFactory.Instance);

        // A killed host's partitions are free once its lease lapses, and the new host looks once per acquire interval:
        // together they bound the takeover, and the lease must outlast a few missed renewals.
        Assert.True(engine.LeaseInterval + engine.LeaseAcquireInterval <= TimeSpan.FromSeconds(10), $"{engine.LeaseInterval} + {engine.LeaseAcquireInterval}");
        Assert.True(engine.LeaseRenewInterval * 3 <= engine.LeaseInterval, $"{engine.LeaseRenewInterval} x 3 > {engine.LeaseInterval}");
        Assert.True(engine.UseTablePartitionManagement);
        Assert.NotEqual(
            engine.WorkerId,
            TaskHubEngine.CreateSettings(durable, new StorageAccountClientProvider("UseDevelopmentStorage=true"), NullLoggerFactory.Instance).WorkerId);
    }

    [Fact]
    public void Load_HostJsonStorageProvider_Wins()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:extensions:durableTask:storageProvider:partitionCount"] = "2",
            ["AzureFunctionsJobHost:extensions:durableTask:storageProvider:maxQueuePollingInterval"] = "00:00:30",
            ["AzureFunctionsJobHost:extensions:durableTask:extendedSessionsEnabled"] = "false",
        }).Build();

        var settings = HostSettings.Load(configuration).DurableTask;

        Assert.Equal(2, settings.PartitionCount);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.MaxQueuePollingInterval);
        Assert.False(settings.ExtendedSessionsEnabled);
    }

    [Theory]
    [InlineData("storageProvider:partitionCount", "17")]
    [InlineData("storageProvider:maxQueuePollingInterval", "soon")]
    [InlineData("extendedSessionsEnabled", "maybe")]
    public void Load_BadDurableTaskValue_FailsNamingTheKey(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:extensions:durableTask:" + key] = value,
        }).Build();

        var ex = Assert.Throws<HostConfigurationException>(() => HostSettings.Load(configuration));

        Assert.Contains("durableTask." + key.Replace(':', '.'), ex.Key, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Defaults_AreDesignDefaults()
    {
        var settings = HostSettings.Load(new ConfigurationBuilder().Build());

        Assert.Equal(5, settings.Queues.MaxDequeueCount);
        Assert.Equal(QueueMessageEncoding.Base64, settings.Queues.MessageEncoding);
        Assert.Equal(TimeSpan.FromDays(7), settings.Review.LinkTtl);
        Assert.Equal(TimeSpan.FromSeconds(300), settings.Review.SignatureTolerance);
        Assert.Equal(64 * 1024, settings.MaxRequestBodyBytes);
        Assert.False(settings.Keys.Enabled);
    }

    [Fact]
    public void Load_NotifyUrlWithUserInfo_ThrowsNamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentFunctions:Review:NotifyUrl"] = "https://bot:hunter2@relay.example.com/hook",
        }).Build();

        var ex = Assert.Throws<HostConfigurationException>(() => HostSettings.Load(configuration));

        Assert.Equal("AgentFunctions:Review:NotifyUrl", ex.Key);
        Assert.Contains("user information", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NotifyUrlOnPrivateNetwork_IsAcceptedAsOperatorOwned()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentFunctions:Review:NotifyUrl"] = "http://10.1.2.3:8080/hook",
        }).Build();

        var settings = HostSettings.Load(configuration);

        Assert.Equal(new Uri("http://10.1.2.3:8080/hook"), settings.Review.NotifyUrl);
    }

    [Theory]
    [InlineData("http://127.0.0.1:7071", true)]
    [InlineData("http://localhost:7071", true)]
    [InlineData("http://[::1]:7071", true)]
    [InlineData("http://127.8.9.10:80", true)]
    [InlineData("http://0.0.0.0:7071", false)]
    [InlineData("http://*:7071", false)]
    [InlineData("http://+:7071", false)]
    [InlineData("http://[::]:7071", false)]
    [InlineData("http://192.168.1.4:7071", false)]
    [InlineData("http://example.org:7071", false)]
    public void IsLoopback_Url_ClassifiesHost(string url, bool loopback) =>
        Assert.Equal(loopback, ListenAddresses.IsLoopback(url));

    private IConfigurationRoot Build() =>
        (IConfigurationRoot)new ConfigurationBuilder().AddFunctionsConfiguration(_root, []).Build();
}
