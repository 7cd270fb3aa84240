using System.Text.Json.Nodes;

namespace AgentFunctions.Infra.Tests;

[Collection(CompiledInfraCollection.Name)]
public sealed class FunctionAppTemplateTests(CompiledInfra infra)
{
    [Fact]
    public void Plan_Sku_IsFlexConsumptionOnLinux()
    {
        var (_, plan) = infra.Template.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", plan["sku"]?["name"]?.GetValue<string>());
        Assert.Equal("FlexConsumption", plan["sku"]?["tier"]?.GetValue<string>());
        Assert.True(plan["properties"]?["reserved"]?.GetValue<bool>(), "a Flex Consumption plan is Linux (reserved: true)");
    }

    [Fact]
    public void Site_Identity_IsOnlyTheUserAssignedIdentity()
    {
        var (app, site) = infra.Template.Single("Microsoft.Web/sites");
        Assert.Equal("functionapp,linux", site["kind"]?.GetValue<string>());
        Assert.Equal("UserAssigned", site["identity"]?["type"]?.GetValue<string>());

        var identities = site["identity"]!["userAssignedIdentities"]!.AsObject();
        // The key is the identity's resource id: format('{0}', parameters('identityId')).
        var identityParameter = Assert.Single(ArmTemplate.ParametersIn(Assert.Single(identities).Key));
        AssertIsIdentityResourceId(app, identityParameter);

        // Key Vault references and the deployment package are read as that same identity.
        Assert.Equal($"[parameters('{identityParameter}')]", site["properties"]?["keyVaultReferenceIdentity"]?.GetValue<string>());
        var authentication = site["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!["authentication"]!;
        Assert.Equal("UserAssignedIdentity", authentication["type"]?.GetValue<string>());
        Assert.Equal($"[parameters('{identityParameter}')]", authentication["userAssignedIdentityResourceId"]?.GetValue<string>());
        Assert.Equal("blobContainer", site["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!["type"]?.GetValue<string>());
    }

    [Fact]
    public void Site_Https_IsOnlyHttpsWithTls12()
    {
        var (_, site) = infra.Template.Single("Microsoft.Web/sites");
        Assert.True(site["properties"]?["httpsOnly"]?.GetValue<bool>(), "httpsOnly must be true");
        Assert.Equal("1.2", site["properties"]?["siteConfig"]?["minTlsVersion"]?.GetValue<string>());
        Assert.Equal("Disabled", site["properties"]?["siteConfig"]?["ftpsState"]?.GetValue<string>());
    }

    [Fact]
    public void Site_Runtime_IsDotnetIsolated10()
    {
        var (app, site) = infra.Template.Single("Microsoft.Web/sites");
        var runtime = site["properties"]!["functionAppConfig"]!["runtime"]!;
        Assert.Equal("dotnet-isolated", runtime["name"]?.GetValue<string>());
        var version = runtime["version"]!.GetValue<string>();
        var versionParameter = ArmTemplate.ParameterIn(version);
        Assert.Equal("10.0", versionParameter is null ? version : app.Binding(versionParameter) ?? app.ParameterDefault(versionParameter)?.GetValue<string>());
    }

    [Fact]
    public void Site_Tags_NameTheAzdServiceOfAzureYaml()
    {
        var (app, site) = infra.Template.Single("Microsoft.Web/sites");
        var tagsParameter = ArmTemplate.ParameterIn(site["tags"]?.GetValue<string>());
        Assert.NotNull(tagsParameter);
        var tags = app.Binding(tagsParameter)!;
        Assert.Contains($"'azd-service-name', '{AzureYaml.Load().ServiceNames.Single()}'", tags, StringComparison.Ordinal);
        Assert.Contains("variables('tags')", tags, StringComparison.Ordinal);
    }

    [Fact]
    public void AppSettings_Wiring_UsesTheIdentityForStorageOpenAiAndTelemetry()
    {
        var (app, site) = infra.Template.Single("Microsoft.Web/sites");
        var settings = AppSettings(site);

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.False(settings.ContainsKey("AzureWebJobsStorage"), "AzureWebJobsStorage (a connection string) must not be set; the identity-based settings replace it");
        AssertFromModule(app, settings["AzureWebJobsStorage__accountName"], "Microsoft.Storage/storageAccounts");

        var clientId = settings["AzureWebJobsStorage__clientId"];
        Assert.Equal(clientId, settings["AZURE_CLIENT_ID"]);
        AssertFromModule(app, clientId, "Microsoft.ManagedIdentity/userAssignedIdentities", ".clientId");

        var authentication = settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"];
        Assert.Contains("Authorization=AAD", authentication, StringComparison.Ordinal);
        Assert.Contains($"parameters('{ArmTemplate.ParameterIn(clientId)}')", authentication, StringComparison.Ordinal);
        AssertFromModule(app, settings["APPLICATIONINSIGHTS_CONNECTION_STRING"], "Microsoft.Insights/components", ".ConnectionString");

        AssertFromModule(app, settings["AZURE_OPENAI_ENDPOINT"], "Microsoft.CognitiveServices/accounts", ".endpoint");
        AssertFromModule(app, settings["AZURE_OPENAI_DEPLOYMENT"], "Microsoft.CognitiveServices/accounts/deployments");

        var hub = ArmTemplate.ParameterIn(settings["AzureFunctionsJobHost__extensions__durableTask__hubName"]);
        Assert.NotNull(hub);
        Assert.Equal("[parameters('taskHubName')]", app.Binding(hub));
        Assert.Equal("AgentFunctionsHub", app.Main.ParameterDefault("taskHubName")?.GetValue<string>());

        // On Flex Consumption the runtime is set in functionAppConfig; these settings are refused there.
        Assert.False(settings.ContainsKey("FUNCTIONS_WORKER_RUNTIME"));
        Assert.False(settings.ContainsKey("FUNCTIONS_EXTENSION_VERSION"));
    }

    [Fact]
    public void AppSettings_Search_FollowsEnableSearch()
    {
        var (app, site) = infra.Template.Single("Microsoft.Web/sites");
        var settings = AppSettings(site);
        Assert.False(app.Main.ParameterDefault("enableSearch")!.GetValue<bool>(), "search is off by default");

        foreach (var name in new[] { "AZURE_SEARCH_ENDPOINT", "AZURE_SEARCH_INDEX" })
        {
            var binding = app.Binding(ArmTemplate.ParameterIn(settings[name])!);
            Assert.NotNull(binding);
            // Empty unless enableSearch: the app then uses its shipped corpus.
            Assert.StartsWith("[if(parameters('enableSearch'), ", binding, StringComparison.Ordinal);
            Assert.EndsWith(", createObject('value', ''))]", binding, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AppSettings_ReviewSecrets_AreKeyVaultReferencesToVaultSecrets()
    {
        var (app, site) = infra.Template.Single("Microsoft.Web/sites");
        var settings = AppSettings(site);

        foreach (var name in new[] { "AgentFunctions__Review__WebhookSecret", "AgentFunctions__Review__LinkSecret" })
        {
            var value = settings[name];
            Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri={0})', parameters('", value, StringComparison.Ordinal);
            var uriParameter = ArmTemplate.ParametersIn(value).Single();
            var source = ArmTemplate.ModuleOutputIn(app.Binding(uriParameter));
            Assert.NotNull(source);
            var vault = app.Main.Module(source.Module);
            var output = vault.Output(source.Output);
            Assert.Contains("'Microsoft.KeyVault/vaults/secrets'", output, StringComparison.Ordinal);
            Assert.EndsWith(".secretUri]", output, StringComparison.Ordinal);
        }

        Assert.NotEqual(settings["AgentFunctions__Review__WebhookSecret"], settings["AgentFunctions__Review__LinkSecret"]);
    }

    [Fact]
    public void AppSettings_EverySite_HoldsNoSecretValue()
    {
        var main = infra.Template;
        var sites = main.Find("Microsoft.Web/sites").ToList();
        Assert.NotEmpty(sites);

        foreach (var (template, site) in sites)
        {
            // A secure parameter anywhere up the chain that reaches a setting would put a secret in plain text.
            var secretParameters = SecureParametersReaching(template);
            foreach (var (name, value) in AppSettings(site))
            {
                Assert.True(
                    !ArmTemplate.ParametersIn(value).Any(secretParameters.Contains),
                    $"App setting {name} carries a secure parameter: {value}");
                foreach (var leak in new[] { "listKeys(", "listSecrets(", "listConnectionStrings(", "AccountKey=", "SharedAccessSignature=", "SharedAccessKey=" })
                {
                    Assert.True(!value.Contains(leak, StringComparison.OrdinalIgnoreCase), $"App setting {name} holds a key: {value}");
                }

                // A setting named like a credential must be a Key Vault reference, never a value.
                var credentialName = name.Contains("SECRET", StringComparison.OrdinalIgnoreCase)
                    || name.Contains("PASSWORD", StringComparison.OrdinalIgnoreCase)
                    || name.EndsWith("KEY", StringComparison.OrdinalIgnoreCase)
                    || name.EndsWith("ConnectionString", StringComparison.OrdinalIgnoreCase) && !name.StartsWith("APPLICATIONINSIGHTS_", StringComparison.Ordinal);
                if (credentialName)
                {
                    Assert.True(value.Contains("@Microsoft.KeyVault(SecretUri=", StringComparison.Ordinal), $"App setting {name} is not a Key Vault reference: {value}");
                }
            }
        }
    }

    /// <summary>The site's app settings, name to value (literal or ARM expression).</summary>
    internal static Dictionary<string, string> AppSettings(JsonObject site)
    {
        var list = site["properties"]?["siteConfig"]?["appSettings"] as JsonArray;
        Assert.True(list is not null, "The site's settings must be a literal siteConfig.appSettings list so they can be checked.");
        return list.OfType<JsonObject>().ToDictionary(
            s => s["name"]!.GetValue<string>(),
            s => s["value"] is { } value ? ArmTemplate.Text(value) : "");
    }

    // The secure parameters of this template plus those of its own that its parents fill from secure parameters.
    private static HashSet<string> SecureParametersReaching(ArmTemplate template)
    {
        var secure = template.SecureParameters().ToHashSet(StringComparer.Ordinal);
        if (template.Parent is { } parent)
        {
            var parentSecure = SecureParametersReaching(parent);
            foreach (var parameter in template.Root["parameters"]?.AsObject().Select(p => p.Key) ?? [])
            {
                var binding = template.Binding(parameter);
                if (binding is not null && ArmTemplate.ParametersIn(binding).Any(parentSecure.Contains))
                {
                    secure.Add(parameter);
                }
            }
        }

        return secure;
    }

    // The parameter behind `value` is filled by main from a module output that reads a resource of `resourceType`.
    private static void AssertFromModule(ArmTemplate app, string value, string resourceType, string? property = null)
    {
        var parameter = ArmTemplate.ParameterIn(value);
        Assert.True(parameter is not null, $"Expected a parameter, found {value}");
        var source = ArmTemplate.ModuleOutputIn(app.Binding(parameter));
        Assert.True(source is not null, $"Parameter {parameter} is not filled from a module output: {app.Binding(parameter)}");
        var module = app.Main.Module(source.Module);
        var output = module.Output(source.Output);
        var named = module.Resources.Where(r => ArmTemplate.IsType(r, resourceType)).Select(ArmTemplate.ResourceName).ToList();
        Assert.True(named.Count > 0, $"Module {source.Module} has no {resourceType}");
        // An output reads the resource (reference(resourceId('<type>', ...)).x) or is its name; a child resource's
        // name is format('{0}/{1}', parent, child), whose last segment is the output.
        var inner = output.TrimStart('[').TrimEnd(']');
        Assert.True(
            named.Contains(output)
                || named.Any(n => n.EndsWith($", {inner})]", StringComparison.Ordinal))
                || output.Contains($"resourceId('{resourceType}'", StringComparison.Ordinal),
            $"Output {source.Module}.{source.Output} ({output}) does not read the {resourceType}");
        if (property is not null)
        {
            Assert.EndsWith(property + "]", output, StringComparison.Ordinal);
        }
    }

    private static void AssertIsIdentityResourceId(ArmTemplate app, string parameter) =>
        AssertFromModule(app, $"[parameters('{parameter}')]", "Microsoft.ManagedIdentity/userAssignedIdentities");
}
