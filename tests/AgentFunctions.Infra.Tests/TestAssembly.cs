using System.Reflection;

namespace AgentFunctions.Infra.Tests;

/// <summary>Values the build writes into this assembly (see the project file).</summary>
internal static class TestAssembly
{
    /// <summary>The repository root: infra/, azure.yaml and src/ are found from here.</summary>
    public static string RepositoryRoot => Metadata("RepositoryRoot");

    /// <summary>The bicep binary inside the restored Azure.Bicep.CommandLine.linux-x64 package.</summary>
    public static string BicepPath => Metadata("BicepPath");

    private static string Metadata(string key) =>
        typeof(TestAssembly).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' is missing; it is written by AgentFunctions.Infra.Tests.csproj.");
}
