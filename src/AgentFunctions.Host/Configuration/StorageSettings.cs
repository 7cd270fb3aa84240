namespace AgentFunctions.Host.Configuration;

/// <summary>
/// <c>AgentFunctions:Storage:MaxBackgroundInFlight</c> and <c>AgentFunctions:Storage:MaxBackgroundInFlightWhileForeground</c>,
/// checked at startup whatever the backend, so a bad value fails before the host runs rather than only once a storage
/// backend reads it. Null means the default.
/// </summary>
/// <param name="MaxBackgroundInFlight">The worker's storage requests in flight at once.</param>
/// <param name="MaxBackgroundInFlightWhileForeground">The same while submissions or status reads wait on storage.</param>
public sealed record StorageSettings(int? MaxBackgroundInFlight, int? MaxBackgroundInFlightWhileForeground)
{
    internal static StorageSettings Load(SettingReader read)
    {
        int? Read(string name) =>
            read.String("AgentFunctions:Storage:" + name) is null ? null : read.Int("AgentFunctions:Storage:" + name, 0, 1, 256);
        return new(Read("MaxBackgroundInFlight"), Read("MaxBackgroundInFlightWhileForeground"));
    }
}
