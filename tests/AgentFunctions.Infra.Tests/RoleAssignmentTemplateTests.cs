using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AgentFunctions.Infra.Tests;

[Collection(CompiledInfraCollection.Name)]
public sealed partial class RoleAssignmentTemplateTests(CompiledInfra infra)
{
    // Built-in role definition ids: the same in every tenant.
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string CognitiveServicesOpenAiUser = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string SearchIndexDataReader = "1407120a-92aa-4202-b7e9-c0e197c71c8f";
    private const string SearchIndexDataContributor = "8ebe5a00-799e-43f5-93ac-243d3dce84a7";
    private const string SearchServiceContributor = "7ca78c08-252a-4471-8644-bb5ff32d4ba0";

    private const string Storage = "Microsoft.Storage/storageAccounts";
    private const string OpenAi = "Microsoft.CognitiveServices/accounts";
    private const string ApplicationInsights = "Microsoft.Insights/components";
    private const string KeyVault = "Microsoft.KeyVault/vaults";
    private const string Search = "Microsoft.Search/searchServices";

    [Fact]
    public void AppIdentity_Roles_AreExactlyWhatTheAppUses()
    {
        var grants = Grants().Where(g => g.Principal == Principal.AppIdentity).ToList();

        Assert.Equal(
            new[]
            {
                (StorageBlobDataOwner, Storage),
                (StorageQueueDataContributor, Storage),
                (StorageTableDataContributor, Storage),
                (CognitiveServicesOpenAiUser, OpenAi),
                (MonitoringMetricsPublisher, ApplicationInsights),
                (KeyVaultSecretsUser, KeyVault),
                (SearchIndexDataReader, Search),
            }.Order(),
            grants.Select(g => (g.RoleId, g.ScopeType)).Order());

        // A user-assigned identity is a service principal; saying so spares the replication-delay retries.
        Assert.All(grants, g => Assert.Equal("ServicePrincipal", g.Assignment["properties"]?["principalType"]?.GetValue<string>()));
    }

    [Fact]
    public void AppIdentity_Roles_AreUnconditionalExceptSearch()
    {
        foreach (var grant in Grants().Where(g => g.Principal == Principal.AppIdentity))
        {
            var condition = grant.Assignment["condition"]?.GetValue<string>();
            if (grant.ScopeType == Search)
            {
                Assert.NotNull(condition);
            }
            else
            {
                Assert.True(condition is null, $"Role {grant.RoleId} on {grant.ScopeType} must always be granted, has condition {condition}");
            }
        }
    }

    [Fact]
    public void DeployingPrincipal_Roles_AreTheDataRolesAndOnlyWhenAPrincipalIsGiven()
    {
        var grants = Grants().Where(g => g.Principal == Principal.DeployingPrincipal).ToList();

        Assert.Equal(
            new[]
            {
                (StorageBlobDataOwner, Storage),
                (StorageQueueDataContributor, Storage),
                (StorageTableDataContributor, Storage),
                (CognitiveServicesOpenAiUser, OpenAi),
                (KeyVaultSecretsUser, KeyVault),
                (SearchIndexDataContributor, Search),
                (SearchServiceContributor, Search),
            }.Order(),
            grants.Select(g => (g.RoleId, g.ScopeType)).Order());

        // azd leaves AZURE_PRINCIPAL_ID empty for some logins; an empty principal must grant nothing.
        Assert.All(grants, g => Assert.False(string.IsNullOrEmpty(g.Assignment["condition"]?.GetValue<string>())));
        Assert.Equal("", infra.Template.ParameterDefault("principalId")?.GetValue<string>());
    }

    [Fact]
    public void RoleAssignments_All_BelongToAKnownPrincipalAndScope()
    {
        var assignments = infra.Template.Find("Microsoft.Authorization/roleAssignments").ToList();
        var grants = Grants();
        Assert.Equal(assignments.Count, grants.Count);
        Assert.DoesNotContain(grants, g => g.Principal == Principal.Unknown);
    }

    [Fact]
    public void RoleAssignments_Names_AreStablePerScopePrincipalAndRole()
    {
        // guid(scope, principal, role): re-running azd up finds the same assignment instead of a conflicting one.
        foreach (var (template, assignment) in infra.Template.Find("Microsoft.Authorization/roleAssignments"))
        {
            var name = template.ResolveVariables(ArmTemplate.ResourceName(assignment));
            var scope = assignment["scope"]!.GetValue<string>().TrimStart('[').TrimEnd(']');
            var principal = assignment["properties"]!["principalId"]!.GetValue<string>().TrimStart('[').TrimEnd(']');
            var role = RoleId(template, assignment);
            Assert.Equal($"[guid({scope}, {principal}, '{role}')]", name);
        }
    }

    private enum Principal
    {
        Unknown,
        AppIdentity,
        DeployingPrincipal,
    }

    private sealed record Grant(Principal Principal, string RoleId, string ScopeType, JsonObject Assignment);

    private List<Grant> Grants() =>
        infra.Template.Find("Microsoft.Authorization/roleAssignments")
            .Select(found => new Grant(
                PrincipalOf(found.Template, found.Resource),
                RoleId(found.Template, found.Resource),
                ScopeTypeOf(found.Template, found.Resource),
                found.Resource))
            .ToList();

    private static string RoleId(ArmTemplate template, JsonObject assignment)
    {
        var definition = template.ResolveVariables(assignment["properties"]!["roleDefinitionId"]!.GetValue<string>());
        var match = RoleDefinition().Match(definition);
        Assert.True(match.Success, $"roleDefinitionId is not a built-in role id: {definition}");
        return match.Groups[1].Value;
    }

    // Which principal an assignment names: the parameter it uses is filled, in main, either from the identity
    // module's principalId output (the app) or from main's own principalId parameter (whoever runs azd).
    private static Principal PrincipalOf(ArmTemplate template, JsonObject assignment)
    {
        var parameter = ArmTemplate.ParameterIn(assignment["properties"]?["principalId"]?.GetValue<string>());
        if (parameter is null || template.Parent is null)
        {
            return Principal.Unknown;
        }

        var binding = template.Binding(parameter);
        if (binding == "[parameters('principalId')]")
        {
            return Principal.DeployingPrincipal;
        }

        var source = ArmTemplate.ModuleOutputIn(binding);
        if (source is null)
        {
            return Principal.Unknown;
        }

        var output = template.Main.Module(source.Module).Output(source.Output);
        return output.Contains("resourceId('Microsoft.ManagedIdentity/userAssignedIdentities'", StringComparison.Ordinal)
            && output.EndsWith(".principalId]", StringComparison.Ordinal)
            && UsedBySite(template.Main, source.Module)
                ? Principal.AppIdentity
                : Principal.Unknown;
    }

    // The identity module whose principal gets the roles is the one the function app runs as.
    private static bool UsedBySite(ArmTemplate main, string identityModule)
    {
        var (app, site) = main.Single("Microsoft.Web/sites");
        var identityParameter = ArmTemplate.ParametersIn(site["identity"]!["userAssignedIdentities"]!.AsObject().Single().Key).Single();
        return ArmTemplate.ModuleOutputIn(app.Binding(identityParameter))?.Module == identityModule;
    }

    // The resource type of the assignment's scope, after checking the scope is the resource the module that
    // owns that type deploys: scope resourceId('<type>', parameters('p')), p filled from a module output that
    // is the name of that module's resource of <type>.
    private static string ScopeTypeOf(ArmTemplate template, JsonObject assignment)
    {
        var scope = assignment["scope"]?.GetValue<string>() ?? "";
        var match = ScopeResource().Match(scope);
        Assert.True(match.Success, $"Role assignment scope is not one resource of this deployment: '{scope}'");
        var (type, parameter) = (match.Groups[1].Value, match.Groups[2].Value);

        var source = ArmTemplate.ModuleOutputIn(template.Binding(parameter));
        Assert.True(source is not null, $"Scope parameter {parameter} is not filled from a module: {template.Binding(parameter)}");
        var module = template.Main.Module(source.Module);
        var output = module.Output(source.Output);
        Assert.True(
            module.Resources.Any(r => ArmTemplate.IsType(r, type) && ArmTemplate.ResourceName(r) == output),
            $"Scope {type} '{parameter}' comes from {source.Module}.{source.Output} = {output}, which is not the name of a {type} there");
        return type;
    }

    [GeneratedRegex(@"^\[subscriptionResourceId\('Microsoft\.Authorization/roleDefinitions', '([0-9a-f-]{36})'\)\]$")]
    private static partial Regex RoleDefinition();

    [GeneratedRegex(@"^\[resourceId\('([^']+)', parameters\('([^']+)'\)\)\]$")]
    private static partial Regex ScopeResource();
}
