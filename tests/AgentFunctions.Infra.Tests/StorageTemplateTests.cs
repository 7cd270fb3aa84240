using System.Text.Json.Nodes;

namespace AgentFunctions.Infra.Tests;

[Collection(CompiledInfraCollection.Name)]
public sealed class StorageTemplateTests(CompiledInfra infra)
{
    private const string StorageAccounts = "Microsoft.Storage/storageAccounts";

    [Fact]
    public void StorageAccount_Properties_RefuseSharedKeysPlainHttpOldTlsAndPublicBlobs()
    {
        var (_, account) = infra.Template.Single(StorageAccounts);
        var properties = account["properties"]!;

        Assert.False(Bool(properties, "allowSharedKeyAccess"), "allowSharedKeyAccess must be false");
        Assert.True(Bool(properties, "supportsHttpsTrafficOnly"), "supportsHttpsTrafficOnly must be true");
        Assert.Equal("TLS1_2", properties["minimumTlsVersion"]?.GetValue<string>());
        Assert.False(Bool(properties, "allowBlobPublicAccess"), "allowBlobPublicAccess must be false");
    }

    [Fact]
    public void StorageAccount_Queues_AreTheBatchQueueAndItsPoisonQueue()
    {
        var (storage, queues) = infra.Template.Single($"{StorageAccounts}/queueServices/queues");

        // One queue per entry of a list parameter (name: format('{0}/{1}/{2}', name, 'default', list[copyIndex()])),
        // which main passes as a literal list.
        var name = ArmTemplate.ResourceName(queues);
        Assert.Contains("[copyIndex()]", name, StringComparison.Ordinal);
        var parameter = ArmTemplate.ParametersIn(name).Last();
        var names = storage.Deployment!["properties"]!["parameters"]![parameter]?["value"] as JsonArray;
        Assert.NotNull(names);
        Assert.Equal(["research-batch", "research-batch-poison"], names.Select(n => n!.GetValue<string>()).Order());
    }

    [Fact]
    public void DeploymentContainer_IsTheOneTheFunctionAppDeploysFrom()
    {
        var (storage, container) = infra.Template.Single($"{StorageAccounts}/blobServices/containers");
        Assert.Equal("None", container["properties"]?["publicAccess"]?.GetValue<string>());

        var containerParameter = ArmTemplate.ParametersIn(ArmTemplate.ResourceName(container)).Last();
        var (app, site) = infra.Template.Single("Microsoft.Web/sites");
        var packageLocation = site["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!["value"]!.GetValue<string>();
        var appContainerParameter = ArmTemplate.ParametersIn(packageLocation).Last();

        // Both modules get the container name from the same expression in main.
        Assert.Equal(storage.Binding(containerParameter), app.Binding(appContainerParameter));
        Assert.NotNull(storage.Binding(containerParameter));
    }

    private static bool? Bool(JsonNode properties, string name) =>
        properties[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;
}
