namespace AgentFunctions.Host.Configuration;

/// <summary>
/// A setting is missing, malformed or out of range; the host refuses to start. The message names the
/// configuration key (and the host.json path, for host.json settings) so the fix is obvious.
/// </summary>
public sealed class HostConfigurationException : Exception
{
    /// <summary>Creates the exception for a key.</summary>
    /// <param name="key">The configuration key at fault, as a user would write it.</param>
    /// <param name="problem">What is wrong with it and what is accepted.</param>
    public HostConfigurationException(string key, string problem)
        : base($"Invalid setting '{key}': {problem}") => Key = key;

    /// <summary>Creates the exception.</summary>
    public HostConfigurationException()
        : this("unknown", "unspecified problem")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public HostConfigurationException(string message)
        : base(message) => Key = "unknown";

    /// <summary>Creates the exception with a message and a cause.</summary>
    public HostConfigurationException(string message, Exception innerException)
        : base(message, innerException) => Key = "unknown";

    /// <summary>The configuration key at fault.</summary>
    public string Key { get; }
}
