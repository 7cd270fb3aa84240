namespace AgentFunctions.Testing;

/// <summary>
/// An xunit fixture owning one in-memory Azurite for a whole test collection. To share it across a test
/// project, declare in that project
/// <c>[CollectionDefinition(AzuriteFixture.Collection)] public sealed class AzuriteCollection : ICollectionFixture&lt;AzuriteFixture&gt;;</c>
/// and put <c>[Collection(AzuriteFixture.Collection)]</c> on the test classes.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>The collection name to use with this fixture.</summary>
    public const string Collection = "Azurite";

    private AzuriteInstance? _instance;

    /// <summary>The running Azurite.</summary>
    public AzuriteInstance Instance => _instance ?? throw new InvalidOperationException("The Azurite fixture has not started.");

    /// <summary>Its connection string.</summary>
    public string ConnectionString => Instance.ConnectionString;

    /// <summary>A name unique to this run, for queues, containers (lowercase, hyphens) and tables (letters and digits).</summary>
    /// <param name="prefix">A lowercase-letter prefix naming the test.</param>
    /// <returns>The prefix plus a random suffix, at most 63 characters.</returns>
    public static string UniqueName(string prefix)
    {
        var name = prefix + Guid.NewGuid().ToString("N")[..12];
        return name.Length > 63 ? name[..63] : name;
    }

    /// <inheritdoc />
    public async Task InitializeAsync() => _instance = await AzuriteInstance.StartNewAsync(inMemory: true);

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_instance is not null)
        {
            await _instance.DisposeAsync();
        }
    }
}
