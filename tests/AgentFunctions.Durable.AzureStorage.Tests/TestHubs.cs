namespace AgentFunctions.Durable.AzureStorage.Tests;

internal static class TestHubs
{
    /// <summary>A fresh hub per test keeps tests independent on one shared Azurite.</summary>
    public static string NewName() => "t" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>
    /// Options for tests on a manual clock: every timer is held in memory and fired by the clock, never parked
    /// in the queue on real time; idle polling is short.
    /// </summary>
    public static AzureStorageBackendOptions Options(string? hub = null) => new()
    {
        TaskHubName = hub ?? NewName(),
        TimerHoldWindow = TimeSpan.FromDays(3650),
        MaxTimerVisibilityDelay = TimeSpan.Zero,
        MaxPollingInterval = TimeSpan.FromMilliseconds(200),
    };
}
