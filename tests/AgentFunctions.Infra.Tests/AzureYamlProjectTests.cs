namespace AgentFunctions.Infra.Tests;

public sealed class AzureYamlProjectTests
{
    [Fact]
    public void AzureYaml_ServiceProject_IsAFolderHoldingAProject()
    {
        var service = Assert.Single(AzureYaml.Load().Services);
        Assert.False(string.IsNullOrWhiteSpace(service.Project), "the service names no project");

        // azd builds and publishes this folder; with `language: dotnet` it must hold exactly one project file.
        var folder = Path.GetFullPath(Path.Combine(TestAssembly.RepositoryRoot, service.Project));
        Assert.True(Directory.Exists(folder), $"azure.yaml service '{service.Name}' names project '{service.Project}', but '{folder}' does not exist");
        var projects = Directory.GetFiles(folder, "*.csproj", SearchOption.TopDirectoryOnly);
        Assert.True(projects.Length == 1, $"'{folder}' holds {projects.Length} .csproj files; azd needs exactly one");
    }
}
