namespace AgentFunctions.Infra.Tests;

/// <summary>
/// infra/main.bicep compiled once per test run by the real bicep CLI into a temporary folder (the repository
/// is left untouched), and infra/ linted once; the tests of the infra collection read both.
/// </summary>
public sealed class CompiledInfra : IAsyncLifetime
{
    private readonly string _outputDirectory = Path.Combine(Path.GetTempPath(), "agentfunctions-infra-" + Guid.NewGuid().ToString("N"));
    private ArmTemplate? _template;

    /// <summary>The repository's infra/ folder.</summary>
    public static string InfraDirectory => Path.Combine(TestAssembly.RepositoryRoot, "infra");

    /// <summary>The result of <c>bicep build infra/main.bicep</c>.</summary>
    internal BicepResult Build { get; private set; } = new(-1, "", "not run");

    /// <summary>The result of <c>bicep lint --pattern infra/**/*.bicep</c>.</summary>
    internal BicepResult Lint { get; private set; } = new(-1, "", "not run");

    /// <summary>The compiled main template; fails the calling test when the build failed.</summary>
    internal ArmTemplate Template => _template
        ?? throw new InvalidOperationException($"infra/main.bicep did not compile:\n{Build}");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_outputDirectory);
        var compiled = Path.Combine(_outputDirectory, "main.json");

        // Build and lint are independent processes; on a shared two-core machine running them together halves
        // the wait on the CLI's start-up.
        var build = BicepCli.RunAsync(InfraDirectory, "build", "main.bicep", "--outfile", compiled);
        // A pattern lints every module too, not only main.bicep.
        var lint = BicepCli.RunAsync(TestAssembly.RepositoryRoot, "lint", "--pattern", "infra/**/*.bicep");
        Build = await build;
        Lint = await lint;

        if (Build.ExitCode == 0 && File.Exists(compiled))
        {
            _template = ArmTemplate.Parse(await File.ReadAllTextAsync(compiled));
        }
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        Directory.Delete(_outputDirectory, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>The tests that share one compilation of infra/.</summary>
[CollectionDefinition(Name)]
public sealed class CompiledInfraCollection : ICollectionFixture<CompiledInfra>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Compiled infra";
}
