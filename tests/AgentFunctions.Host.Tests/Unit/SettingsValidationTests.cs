using System.Text.Json;
using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Research.Configuration;
using AgentFunctions.Research.Orchestration;
using AgentFunctions.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Host.Tests.Unit;

/// <summary>
/// Every setting, given a bad value, stops startup with "Invalid setting '&lt;key&gt;'": the whole of the host's
/// registration runs (AddAgentFunctionsHost), as Program.cs runs it, with only the setting under test changed.
/// </summary>
public sealed class SettingsValidationTests
{
    private const string JobHost = FunctionsConfigurationExtensions.JobHostSection + ":extensions:";

    /// <summary>Settings whose every value is acceptable (free text, secrets, lists of keys).</summary>
    private static readonly string[] FreeText =
    [
        "AgentFunctions:Keys:Function", "AgentFunctions:Keys:System", "AgentFunctions:Review:WebhookSecret", "AgentFunctions:HostId",
        "AZURE_OPENAI_API_KEY", "AZURE_SEARCH_API_KEY",

        // Read by func start only; the local host ignores it.
        "FUNCTIONS_WORKER_RUNTIME",
    ];

    public static TheoryData<string, string, string> BadValues()
    {
        var data = new TheoryData<string, string, string>
        {
            { "AgentFunctions:Backend", "Cosmos", "AgentFunctions:Backend" },
            { "AgentFunctions:Http:MaxRequestBodyBytes", "abc", "AgentFunctions:Http:MaxRequestBodyBytes" },
            { "AgentFunctions:Http:MaxRequestBodyBytes", "10", "AgentFunctions:Http:MaxRequestBodyBytes" },
            { "AgentFunctions:Review:LinkSecret", "short", "AgentFunctions:Review:LinkSecret" },
            { "AgentFunctions:Review:LinkTtl", "a week", "AgentFunctions:Review:LinkTtl" },
            { "AgentFunctions:Review:SignatureTolerance", "5m", "AgentFunctions:Review:SignatureTolerance" },
            { "AgentFunctions:Review:NotifyUrl", "ftp://relay.example/hook", "AgentFunctions:Review:NotifyUrl" },
            { "AgentFunctions:Review:PublicBaseUrl", "review.example", "AgentFunctions:Review:PublicBaseUrl" },
            { "AgentFunctions:Review:DeliveryRetention", "abc", "AgentFunctions:Review:DeliveryRetention" },
            { "AgentFunctions:Idempotency:Retention", "abc", "AgentFunctions:Idempotency:Retention" },
            { "AgentFunctions:Logging:Format", "xml", "AgentFunctions:Logging:Format" },
            { "AgentFunctions:Callbacks:AllowPrivateNetworks", "yes", "AgentFunctions:Callbacks:AllowPrivateNetworks" },
            { "AgentFunctions:Callbacks:AllowHttp", "1", "AgentFunctions:Callbacks:AllowHttp" },
            { "AgentFunctions:Callbacks:AllowedHosts", "hooks.example.com,*", "AgentFunctions:Callbacks:AllowedHosts" },
            { "AgentFunctions:Search:CorpusPath", "/no/such/corpus", "AgentFunctions:Search:CorpusPath" },
            { "AZURE_OPENAI_ENDPOINT", "my-resource", "AZURE_OPENAI_ENDPOINT" },
            { "AZURE_OPENAI_DEPLOYMENT", string.Empty, "AZURE_OPENAI_DEPLOYMENT" },
            { "AZURE_SEARCH_ENDPOINT", "my-search", "AZURE_SEARCH_ENDPOINT" },
            { "AZURE_SEARCH_INDEX", string.Empty, "AZURE_SEARCH_INDEX" },
            { "AzureWebJobsStorage", "not a connection string", "AzureWebJobsStorage" },
            { "OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4317", "OTEL_EXPORTER_OTLP_ENDPOINT" },
            { "APPLICATIONINSIGHTS_CONNECTION_STRING", "garbage", "APPLICATIONINSIGHTS_CONNECTION_STRING" },
            { "urls", "127.0.0.1:7071", "urls" },
            { "Host:LocalHttpPort", "seventy", "Host:LocalHttpPort" },
            { JobHost + "durableTask:hubName", "bad-hub", "host.json extensions.durableTask.hubName" },
            { JobHost + "durableTask:maxConcurrentActivityFunctions", "many", "host.json extensions.durableTask.maxConcurrentActivityFunctions" },
            { JobHost + "durableTask:maxConcurrentOrchestratorFunctions", "0", "host.json extensions.durableTask.maxConcurrentOrchestratorFunctions" },
            { JobHost + "durableTask:storageProvider:controlQueueBufferThreshold", "abc", "host.json extensions.durableTask.storageProvider.controlQueueBufferThreshold" },
            { JobHost + "queues:batchSize", "64", "host.json extensions.queues.batchSize" },
            { JobHost + "queues:maxDequeueCount", "abc", "host.json extensions.queues.maxDequeueCount" },
            { JobHost + "queues:visibilityTimeout", "thirty seconds", "host.json extensions.queues.visibilityTimeout" },
            { JobHost + "queues:maxPollingInterval", "abc", "host.json extensions.queues.maxPollingInterval" },
            { JobHost + "queues:messageEncoding", "utf16", "host.json extensions.queues.messageEncoding" },
            { "AgentFunctions:Sweep:Interval", "hourly", "AgentFunctions:Sweep:Interval" },
            { "AgentFunctions:Operations:CostPer1KTokens", "cheap", "AgentFunctions:Operations:CostPer1KTokens" },
            { "AgentFunctions:Operations:Currency", "us dollars", "AgentFunctions:Operations:Currency" },
            { "AgentFunctions:Research:MaxRevison", "3", "AgentFunctions:Research:MaxRevison" },
            { "AgentFunctions:Research:MaxRevisions", "-1", "AgentFunctions:Research:MaxRevisions" },
            { "AgentFunctions:Research:DefaultApprovalTimeout", "40.00:00:00", "AgentFunctions:Research:DefaultApprovalTimeout" },
            { "AgentFunctions:Research:ModelRetry", "6", "AgentFunctions:Research:ModelRetry" },
            { "AgentFunctions:Research:ModelRetry:BackoffCoefficient", "0.5", "AgentFunctions:Research:ModelRetry:BackoffCoefficient" },
        };

        // Every pipeline setting, whatever its type, refuses a word.
        foreach (var key in PipelineKeys())
        {
            data.Add(key, "abc", key);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadValues))]
    public void AddAgentFunctionsHost_BadValue_ThrowsInvalidSettingNamingTheKey(string key, string value, string reported)
    {
        var values = Companions(key);
        values[key] = value;

        var ex = Assert.Throws<HostConfigurationException>(() => Register(values));

        Assert.StartsWith($"Invalid setting '{reported}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAgentFunctionsHost_DocumentedDefaults_Registers()
    {
        var values = LocalSettingsExample();

        var builder = Register(values);

        Assert.NotNull(builder);
    }

    [Fact]
    public void BadValues_CoverEverySettingInTheExampleAndThePipeline()
    {
        var tested = BadValues().Select(row => (string)row[0]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var documented = LocalSettingsExample().Keys.Concat(PipelineKeys());

        var untested = documented.Where(k => !tested.Contains(k) && !FreeText.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList();

        Assert.Empty(untested);
    }

    [Fact]
    public void SettingBinder_Keys_ListsNestedRetrySettings()
    {
        var keys = PipelineKeys();

        Assert.Contains("AgentFunctions:Research:ModelRetry:MaxAttempts", keys);
        Assert.Contains("AgentFunctions:Research:CallbackRetry:MaxInterval", keys);
        Assert.Contains("AgentFunctions:Research:VerifyCitationSupportWithModel", keys);
        Assert.DoesNotContain("AgentFunctions:Research:ModelRetry", keys);
    }

    private static IReadOnlyList<string> PipelineKeys() => SettingBinder.Keys(ResearchPipelineOptions.SectionName, typeof(ResearchPipelineOptions));

    /// <summary>The other half of a pair, so that the value under test is the only thing wrong.</summary>
    private static Dictionary<string, string?> Companions(string key) => key switch
    {
        "AZURE_OPENAI_DEPLOYMENT" => new() { ["AZURE_OPENAI_ENDPOINT"] = "https://my-resource.openai.azure.com/" },
        "AZURE_SEARCH_ENDPOINT" => new() { ["AZURE_SEARCH_INDEX"] = "research" },
        "AZURE_SEARCH_INDEX" => new() { ["AZURE_SEARCH_ENDPOINT"] = "https://my-search.search.windows.net" },
        _ => new(),
    };

    /// <summary>The Values of local.settings.json.example, '__' read as ':', comments left out.</summary>
    private static Dictionary<string, string?> LocalSettingsExample()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "local.settings.json.example")));
        return document.RootElement.GetProperty("Values").EnumerateObject()
            .Where(p => !p.Name.StartsWith("//", StringComparison.Ordinal))
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value.GetString(), StringComparer.OrdinalIgnoreCase);
    }

    private static WebApplicationBuilder Register(Dictionary<string, string?> values)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(values);
        return builder.AddAgentFunctionsHost();
    }
}
