using AgentFunctions.Host.Configuration;

namespace AgentFunctions.Host.Hosting;

/// <summary>
/// The tables the host keeps next to a task hub on Azure Storage, named after the hub as its own tables are
/// (<c>{hub}Instances</c>, <c>{hub}History</c>), so that hubs sharing an account never share them.
/// </summary>
public sealed record HostTableNames
{
    /// <summary>Derives the names from a task hub name.</summary>
    /// <exception cref="HostConfigurationException">The hub name, or a name derived from it, is not a valid table name.</exception>
    public HostTableNames(string hubName)
    {
        ArgumentNullException.ThrowIfNull(hubName);
        if (DurableTaskHostSettings.ValidateHubName(hubName) is { } problem)
        {
            throw new HostConfigurationException("host.json extensions.durableTask.hubName", problem);
        }

        Idempotency = Checked($"{hubName}Idempotency");
        Deliveries = Checked($"{hubName}Deliveries");
    }

    /// <summary>Idempotency-Key claims of <c>POST /api/research</c>.</summary>
    public string Idempotency { get; }

    /// <summary>Reviewer webhook delivery ids and the review rounds already decided.</summary>
    public string Deliveries { get; }

    /// <summary>Azure's table name rule: 3 to 63 ASCII letters and digits, starting with a letter.</summary>
    public static bool IsValidTableName(string name) =>
        name.Length is >= 3 and <= 63 && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit);

    private static string Checked(string name) =>
        IsValidTableName(name)
            ? name
            : throw new HostConfigurationException(
                "host.json extensions.durableTask.hubName", $"'{name}' is not a valid table name (3-63 ASCII letters and digits, starting with a letter); use a shorter hub name.");
}
