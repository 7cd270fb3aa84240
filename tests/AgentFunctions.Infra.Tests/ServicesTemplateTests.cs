using System.Text.Json.Nodes;

namespace AgentFunctions.Infra.Tests;

[Collection(CompiledInfraCollection.Name)]
public sealed class ServicesTemplateTests(CompiledInfra infra)
{
    [Fact]
    public void ApplicationInsights_Component_IsWorkspaceBasedWithLocalAuthOff()
    {
        var (monitoring, component) = infra.Template.Single("Microsoft.Insights/components");
        Assert.True(component["properties"]?["DisableLocalAuth"]?.GetValue<bool>(), "DisableLocalAuth must be true");

        var workspace = component["properties"]?["WorkspaceResourceId"]?.GetValue<string>() ?? "";
        Assert.Contains("resourceId('Microsoft.OperationalInsights/workspaces'", workspace, StringComparison.Ordinal);
        Assert.Contains(monitoring.Resources, r => ArmTemplate.IsType(r, "Microsoft.OperationalInsights/workspaces"));
    }

    [Fact]
    public void OpenAi_Account_AcceptsOnlyEntraIdOnItsOwnSubdomain()
    {
        var (_, account) = infra.Template.Single("Microsoft.CognitiveServices/accounts");
        Assert.Equal("OpenAI", account["kind"]?.GetValue<string>());
        Assert.True(account["properties"]?["disableLocalAuth"]?.GetValue<bool>(), "disableLocalAuth must be true");
        Assert.False(string.IsNullOrEmpty(account["properties"]?["customSubDomainName"]?.GetValue<string>()), "Entra ID needs a custom subdomain");
    }

    [Fact]
    public void OpenAi_ModelDeployment_TakesItsShapeFromParametersWithDefaults()
    {
        var (openAi, deployment) = infra.Template.Single("Microsoft.CognitiveServices/accounts/deployments");
        var model = deployment["properties"]!["model"]!;
        var expected = new (JsonNode? Value, string MainParameter)[]
        {
            (model["name"], "openAiModelName"),
            (model["version"], "openAiModelVersion"),
            (deployment["sku"]?["name"], "openAiSkuName"),
            (deployment["sku"]?["capacity"], "openAiCapacity"),
        };

        foreach (var (value, mainParameter) in expected)
        {
            var parameter = ArmTemplate.ParameterIn(value?.GetValue<string>());
            Assert.NotNull(parameter);
            Assert.Equal($"[parameters('{mainParameter}')]", openAi.Binding(parameter));
            Assert.NotNull(openAi.Main.ParameterDefault(mainParameter));
        }

        Assert.Equal("[parameters('openAiDeploymentName')]", openAi.Binding(ArmTemplate.ParametersIn(ArmTemplate.ResourceName(deployment)).Last()));
        Assert.True(openAi.Main.ParameterDefault("openAiCapacity")!.GetValue<int>() > 0);
    }

    [Fact]
    public void Search_Service_IsOptionalOffByDefaultAndEntraIdOnly()
    {
        var (search, service) = infra.Template.Single("Microsoft.Search/searchServices");
        Assert.Equal("[parameters('enableSearch')]", search.Deployment!["condition"]?.GetValue<string>());
        Assert.False(infra.Template.ParameterDefault("enableSearch")!.GetValue<bool>());
        Assert.True(service["properties"]?["disableLocalAuth"]?.GetValue<bool>(), "disableLocalAuth must be true");
    }

    [Fact]
    public void KeyVault_Vault_AuthorizesWithAzureRolesAndHoldsBothReviewSecrets()
    {
        var (vaultModule, vault) = infra.Template.Single("Microsoft.KeyVault/vaults");
        Assert.True(vault["properties"]?["enableRbacAuthorization"]?.GetValue<bool>(), "enableRbacAuthorization must be true");

        var secrets = infra.Template.Find("Microsoft.KeyVault/vaults/secrets").ToList();
        Assert.Equal(2, secrets.Count);
        foreach (var (_, secret) in secrets)
        {
            // The value comes from a secure parameter, never a literal.
            var valueParameter = ArmTemplate.ParameterIn(secret["properties"]?["value"]?.GetValue<string>());
            Assert.NotNull(valueParameter);
            Assert.Equal("securestring", vaultModule.ParameterType(valueParameter));
        }
    }

    [Fact]
    public void Main_SecureParameters_HaveNoLiteralDefaultAndReachNoOutput()
    {
        var main = infra.Template;
        var secure = main.SecureParameters();
        Assert.Contains("reviewWebhookSecret", secure);
        Assert.Contains("reviewLinkSecret", secure);

        foreach (var parameter in secure)
        {
            var defaultValue = main.ParameterDefault(parameter);
            Assert.True(
                defaultValue is null || defaultValue.GetValue<string>() == "[newGuid()]",
                $"Secure parameter {parameter} has a literal default: {defaultValue?.ToJsonString()}");
        }

        foreach (var output in main.Root["outputs"]!.AsObject().Select(o => o.Key))
        {
            var value = main.Output(output);
            Assert.True(!ArmTemplate.ParametersIn(value).Any(secure.Contains), $"Output {output} carries a secure parameter: {value}");
        }
    }
}
