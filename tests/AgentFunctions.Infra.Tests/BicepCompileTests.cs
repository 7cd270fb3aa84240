using System.Text.Json.Nodes;

namespace AgentFunctions.Infra.Tests;

[Collection(CompiledInfraCollection.Name)]
public sealed class BicepCompileTests(CompiledInfra infra)
{
    [Fact]
    public void Build_MainBicep_ExitsZeroWithNoDiagnostics()
    {
        Assert.True(infra.Build.ExitCode == 0, infra.Build.ToString());
        // Warnings do not change bicep's exit code, so the diagnostics themselves are checked.
        Assert.True(infra.Build.Diagnostics.Count == 0, "bicep build reported:\n" + string.Join('\n', infra.Build.Diagnostics));
        Assert.True(string.IsNullOrWhiteSpace(infra.Build.StandardError), "bicep build wrote to stderr:\n" + infra.Build.StandardError);
    }

    [Fact]
    public void Lint_EveryInfraFile_ReportsNothing()
    {
        Assert.True(infra.Lint.ExitCode == 0, infra.Lint.ToString());
        Assert.True(infra.Lint.Diagnostics.Count == 0, "bicep lint reported:\n" + string.Join('\n', infra.Lint.Diagnostics));
        Assert.True(string.IsNullOrWhiteSpace(infra.Lint.StandardError), "bicep lint wrote to stderr:\n" + infra.Lint.StandardError);
    }

    [Fact]
    public void Infra_BicepFiles_UseNoRegistryModules()
    {
        // Registry modules (br:, br/public:, ts:) cannot be restored on machines without the registry.
        var offenders = Directory.EnumerateFiles(CompiledInfra.InfraDirectory, "*.bicep", SearchOption.AllDirectories)
            .Where(f => File.ReadLines(f).Any(l => l.TrimStart().StartsWith("module", StringComparison.Ordinal)
                && (l.Contains("'br:", StringComparison.Ordinal) || l.Contains("'br/", StringComparison.Ordinal) || l.Contains("'ts:", StringComparison.Ordinal))))
            .ToList();
        Assert.True(offenders.Count == 0, "Registry modules in: " + string.Join(", ", offenders));
    }

    [Fact]
    public void Main_Template_DeploysAtSubscriptionScopeIntoOneTaggedResourceGroup()
    {
        var main = infra.Template;
        Assert.Contains("subscriptionDeploymentTemplate", main.Root["$schema"]!.GetValue<string>(), StringComparison.Ordinal);

        var group = Assert.Single(main.Resources, r => ArmTemplate.IsType(r, "Microsoft.Resources/resourceGroups"));
        var tags = group["tags"] is JsonValue reference && reference.TryGetValue<string>(out var expression)
            ? main.Variable(Assert.Single(VariablesIn(expression)))
            : group["tags"];
        Assert.Equal("[parameters('environmentName')]", tags?["azd-env-name"]?.GetValue<string>());

        // Every module goes into that group.
        Assert.NotEmpty(main.Modules);
        foreach (var module in main.Modules)
        {
            Assert.Equal(ArmTemplate.ResourceName(group), module.Deployment!["resourceGroup"]?.GetValue<string>());
        }
    }

    private static IEnumerable<string> VariablesIn(string expression) =>
        System.Text.RegularExpressions.Regex.Matches(expression, @"variables\('([^']+)'\)").Select(m => m.Groups[1].Value);
}
