using YamlDotNet.RepresentationModel;

namespace AgentFunctions.Infra.Tests;

/// <summary>One service of azure.yaml.</summary>
/// <param name="Name">The service's key under <c>services</c>.</param>
/// <param name="Project">Its <c>project</c> path, relative to the repository root.</param>
/// <param name="Language">Its <c>language</c>.</param>
/// <param name="Host">Its <c>host</c>.</param>
internal sealed record AzdService(string Name, string? Project, string? Language, string? Host);

/// <summary>The repository's azure.yaml, read with YamlDotNet's representation model.</summary>
internal sealed record AzureYaml(string? Name, string? InfraPath, IReadOnlyList<AzdService> Services)
{
    /// <summary>Path of azure.yaml at the repository root.</summary>
    public static string FilePath => Path.Combine(TestAssembly.RepositoryRoot, "azure.yaml");

    /// <summary>The service names.</summary>
    public IEnumerable<string> ServiceNames => Services.Select(s => s.Name);

    /// <summary>Parses azure.yaml; a malformed file throws YamlDotNet's exception naming line and column.</summary>
    public static AzureYaml Load()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(FilePath))
        {
            stream.Load(reader);
        }

        var root = Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);
        var services = root.Children.TryGetValue(new YamlScalarNode("services"), out var node)
            ? Assert.IsType<YamlMappingNode>(node).Children
                .Select(s => new AzdService(
                    ((YamlScalarNode)s.Key).Value!,
                    Scalar(s.Value, "project"),
                    Scalar(s.Value, "language"),
                    Scalar(s.Value, "host")))
                .ToList()
            : [];
        var infra = root.Children.TryGetValue(new YamlScalarNode("infra"), out var infraNode) ? Scalar(infraNode, "path") : null;
        return new AzureYaml(Scalar(root, "name"), infra, services);
    }

    private static string? Scalar(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value)
            ? (value as YamlScalarNode)?.Value
            : null;
}
