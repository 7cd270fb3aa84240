using System.Text.Json.Nodes;

namespace AgentFunctions.Infra.Tests;

[Collection(CompiledInfraCollection.Name)]
public sealed class AzdConfigurationTests(CompiledInfra infra)
{
    [Fact]
    public void AzureYaml_Services_AreOneDotnetFunctionApp()
    {
        var azureYaml = AzureYaml.Load();

        var service = Assert.Single(azureYaml.Services);
        Assert.Equal("function", service.Host);
        Assert.Equal("dotnet", service.Language);
        Assert.Equal("src/AgentFunctions.Functions", service.Project?.TrimStart('.', '/').TrimEnd('/'));
        Assert.False(string.IsNullOrWhiteSpace(azureYaml.Name), "azure.yaml needs a name");
        Assert.Equal("infra", azureYaml.InfraPath);
    }

    [Fact]
    public void MainParameters_AzdVariables_FillEveryRequiredParameter()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(CompiledInfra.InfraDirectory, "main.parameters.json")))!;
        var supplied = file["parameters"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!["value"]!.GetValue<string>());

        Assert.Equal("${AZURE_ENV_NAME}", supplied["environmentName"]);
        Assert.Equal("${AZURE_LOCATION}", supplied["location"]);
        Assert.Equal("${AZURE_PRINCIPAL_ID}", supplied["principalId"]);
        // The optional switches docs/deploy.md documents; azd substitutes an unset variable as "", hence the
        // default for the bool and main.bicep's fallback for an empty location.
        Assert.Equal("${AGENTFUNCTIONS_ENABLE_SEARCH=false}", supplied["enableSearch"]);
        Assert.Equal("${AZURE_OPENAI_LOCATION}", supplied["openAiLocation"]);
        Assert.Equal("", infra.Template.ParameterDefault("openAiLocation")?.GetValue<string>());

        var declared = infra.Template.Root["parameters"]!.AsObject();
        foreach (var name in supplied.Keys)
        {
            Assert.True(declared.ContainsKey(name), $"main.parameters.json sets '{name}', which main.bicep does not declare");
        }

        var required = declared.Where(p => p.Value!["defaultValue"] is null).Select(p => p.Key);
        Assert.All(required, name => Assert.True(supplied.ContainsKey(name), $"main.bicep parameter '{name}' has no default and main.parameters.json does not set it"));
    }

    [Fact]
    public void MainParameters_Secrets_AreGeneratedOnceThenReadBackFromTheVault()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(CompiledInfra.InfraDirectory, "main.parameters.json")))!;
        var outputs = infra.Template.Root["outputs"]!.AsObject();

        foreach (var secure in infra.Template.SecureParameters().Where(p => infra.Template.ParameterDefault(p) is null))
        {
            var value = file["parameters"]?[secure]?["value"]?.GetValue<string>();
            Assert.NotNull(value);
            Assert.StartsWith("$(secretOrRandomPassword ${AZURE_KEY_VAULT_NAME} ", value, StringComparison.Ordinal);
            // The vault name azd passes is one of main's outputs, which azd stores in the environment.
            Assert.True(outputs.ContainsKey("AZURE_KEY_VAULT_NAME"));

            // ... and the secret name is the one the vault module stores the parameter under.
            var secretName = value["$(secretOrRandomPassword ${AZURE_KEY_VAULT_NAME} ".Length..].TrimEnd(')');
            var vault = infra.Template.Module("keyvault");
            var stored = vault.Root["parameters"]!.AsObject()
                .Where(p => vault.Binding(p.Key) is { } b && ArmTemplate.ParametersIn(b).Contains(secure))
                .Select(p => p.Key)
                .Single();
            var secret = vault.Resources.Single(r => ArmTemplate.IsType(r, "Microsoft.KeyVault/vaults/secrets")
                && r["properties"]?["value"]?.GetValue<string>() == $"[parameters('{stored}')]");
            var secretNameParameter = ArmTemplate.ParametersIn(ArmTemplate.ResourceName(secret)).Last();
            Assert.Equal(secretName, vault.Binding(secretNameParameter));
        }
    }

    [Fact]
    public void Main_Outputs_AreTheOnesAzdAndTheDocsUse()
    {
        var outputs = infra.Template.Root["outputs"]!.AsObject();
        foreach (var name in new[]
        {
            "AZURE_LOCATION", "AZURE_TENANT_ID", "AZURE_RESOURCE_GROUP", "AZURE_FUNCTION_APP_NAME", "SERVICE_API_NAME",
            "AZURE_STORAGE_ACCOUNT_NAME", "AZURE_KEY_VAULT_NAME", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT",
            "APPLICATIONINSIGHTS_CONNECTION_STRING",
        })
        {
            Assert.True(outputs.ContainsKey(name), $"main.bicep has no output {name}");
        }

        // SERVICE_<NAME>_NAME names the service azure.yaml declares.
        var service = AzureYaml.Load().ServiceNames.Single();
        Assert.True(outputs.ContainsKey($"SERVICE_{service.ToUpperInvariant()}_NAME"));
    }
}
