namespace AgentFunctions.Testing;

/// <summary>
/// One in-memory Azurite for a whole test run, started on first use and stopped when the process exits. Hosts that
/// share it use task hubs of their own (<see cref="UniqueHubName"/>), so they never see each other's runs.
/// </summary>
public static class SharedAzurite
{
    private static readonly Lazy<Task<AzuriteInstance>> Instance = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The shared Azurite's connection string (starting it if needed).</summary>
    public static async Task<string> GetConnectionStringAsync() => (await Instance.Value.ConfigureAwait(false)).ConnectionString;

    /// <summary>A task hub name unique to one host (letters and digits only, as hub names must be).</summary>
    /// <param name="prefix">A readable prefix: letters and digits, starting with a letter.</param>
    public static string UniqueHubName(string prefix = "Test") => prefix + Guid.NewGuid().ToString("N")[..12];

    private static async Task<AzuriteInstance> StartAsync()
    {
        var azurite = await AzuriteInstance.StartNewAsync(inMemory: true).ConfigureAwait(false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => azurite.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return azurite;
    }
}
