using System.Reflection;
using System.Text.Json.Nodes;
using AgentFunctions.Research.Orchestration;
using Microsoft.DurableTask;

namespace AgentFunctions.Functions.Tests;

/// <summary>
/// What the Functions host will load: the Worker SDK's build output (<c>functions.metadata</c>, <c>extensions.json</c>,
/// <c>host.json</c>) of the app this test project references, read from its output folder.
/// </summary>
public sealed class FunctionMetadataTests
{
    private static readonly string Output = typeof(FunctionMetadataTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FunctionsOutputPath").Value!;

    private static readonly Lazy<Dictionary<string, JsonObject>> Functions = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Output, "functions.metadata")))!.AsArray()
            .Select(f => f!.AsObject())
            .ToDictionary(f => f["name"]!.GetValue<string>(), StringComparer.Ordinal));

    public static TheoryData<string, string, string, string, bool> HttpFunctions => new()
    {
        { "SubmitResearch", "api/research", "post", "Function", true },
        { "ReceiveReviewDecision", "api/approvals/{instanceId}", "post", "Anonymous", true },
        { "RunsPage", "{root:maxlength(0)?}", "get", "Function", true },
        { "RunsPageSubmit", "{root:maxlength(0)?}", "post", "Anonymous", true },
        { "ReviewPage", "review/{instanceId}", "get", "Anonymous", true },
        { "ReviewPageDecide", "review/{instanceId}", "post", "Anonymous", true },
        { "OperationsPage", "ops", "get", "Function", true },
    };

    [Theory]
    [MemberData(nameof(HttpFunctions))]
    public void FunctionsMetadata_HttpFunction_HasRouteMethodAuthLevelAndBindings(string name, string route, string method, string authLevel, bool durableClient)
    {
        var trigger = Trigger(name, "httpTrigger");

        Assert.Equal(route, trigger["route"]!.GetValue<string>());
        Assert.Equal([method], trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal(authLevel, trigger["authLevel"]!.GetValue<string>());
        Assert.Equal(durableClient, Bindings(name).Any(b => b["type"]!.GetValue<string>() == "durableClient" && b["direction"]!.GetValue<string>() == "In"));
        Assert.Contains(Bindings(name), b => b["type"]!.GetValue<string>() == "http" && b["direction"]!.GetValue<string>() == "Out");
    }

    [Fact]
    public void FunctionsMetadata_QueueTrigger_ReadsResearchBatchOverAzureWebJobsStorage()
    {
        var trigger = Trigger("StartResearchBatch", "queueTrigger");

        Assert.Equal("research-batch", trigger["queueName"]!.GetValue<string>());
        Assert.Equal("AzureWebJobsStorage", trigger["connection"]!.GetValue<string>());
        Assert.Contains(Bindings("StartResearchBatch"), b => b["type"]!.GetValue<string>() == "durableClient");
    }

    [Fact]
    public void FunctionsMetadata_Orchestrators_AreEveryOrchestratorClassUnderItsName()
    {
        var orchestrators = FunctionsWith("orchestrationTrigger");

        Assert.Equal(ClassNames<ITaskOrchestrator>(), orchestrators);
        Assert.Equal([nameof(BatchOrchestrator), nameof(ResearchOrchestrator)], orchestrators);
    }

    [Fact]
    public void FunctionsMetadata_Activities_AreEveryActivityClassUnderItsName()
    {
        var activities = FunctionsWith("activityTrigger");

        Assert.Equal(ClassNames<ITaskActivity>(), activities);
        Assert.Equal(9, activities.Count);
    }

    [Fact]
    public void FunctionsMetadata_EveryFunction_IsOneOfTheExpectedOnes()
    {
        var expected = HttpFunctions.Select(row => (string)row[0]).Append("StartResearchBatch")
            .Concat(ClassNames<ITaskOrchestrator>()).Concat(ClassNames<ITaskActivity>())
            .Order(StringComparer.Ordinal);

        Assert.Equal(expected, Functions.Value.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ExtensionsJson_ListsDurableTaskAndStorageQueues()
    {
        var extensions = JsonNode.Parse(File.ReadAllText(Path.Combine(Output, "extensions.json")))!["extensions"]!.AsArray()
            .Select(e => e!["typeName"]!.GetValue<string>())
            .ToList();

        Assert.Contains(extensions, t => t.StartsWith("Microsoft.Azure.WebJobs.Extensions.DurableTask.", StringComparison.Ordinal));
        Assert.Contains(extensions, t => t.StartsWith("Microsoft.Azure.WebJobs.Extensions.Storage.", StringComparison.Ordinal) && t.Contains("Queues", StringComparison.Ordinal));
    }

    [Fact]
    public void HostJson_InOutput_HasEmptyRoutePrefixAndTheHub()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(Output, "host.json")))!;

        Assert.Equal(string.Empty, host["extensions"]!["http"]!["routePrefix"]!.GetValue<string>());
        Assert.Equal("AgentFunctionsHub", host["extensions"]!["durableTask"]!["hubName"]!.GetValue<string>());
    }

    private static List<JsonObject> Bindings(string function)
    {
        Assert.True(Functions.Value.ContainsKey(function), $"functions.metadata has no function '{function}'.");
        return [.. Functions.Value[function]["bindings"]!.AsArray().Select(b => b!.AsObject())];
    }

    private static JsonObject Trigger(string function, string type) =>
        Assert.Single(Bindings(function), b => b["type"]!.GetValue<string>() == type && b["direction"]!.GetValue<string>() == "In");

    private static List<string> FunctionsWith(string triggerType) =>
        [.. Functions.Value.Where(f => f.Value["bindings"]!.AsArray().Any(b => b!["type"]!.GetValue<string>() == triggerType)).Select(f => f.Key).Order(StringComparer.Ordinal)];

    private static List<string> ClassNames<T>() =>
        [.. typeof(ResearchOrchestrator).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(T).IsAssignableFrom(t))
            .Select(t => t.Name)
            .Order(StringComparer.Ordinal)];
}
