using System.Text.RegularExpressions;

namespace AgentFunctions.Durable.AzureStorage;

/// <summary>The storage resources of one task hub, named after it as Durable Functions names them.</summary>
public sealed partial record TaskHubNames
{
    /// <summary>Derives the resource names from a validated hub name.</summary>
    public TaskHubNames(string hubName)
    {
        Validate(hubName);
        HubName = hubName;
        var lower = hubName.ToLowerInvariant();
        ControlQueue = $"{lower}-control-00";
        WorkItemQueue = $"{lower}-workitems";
        InstancesTable = $"{hubName}Instances";
        HistoryTable = $"{hubName}History";
        LargeMessagesContainer = $"{lower}-largemessages";
        LeasesContainer = $"{lower}-leases";
    }

    /// <summary>The hub name.</summary>
    public string HubName { get; }

    /// <summary>Orchestration messages.</summary>
    public string ControlQueue { get; }

    /// <summary>Activity calls.</summary>
    public string WorkItemQueue { get; }

    /// <summary>Instance status rows.</summary>
    public string InstancesTable { get; }

    /// <summary>History rows.</summary>
    public string HistoryTable { get; }

    /// <summary>Payloads too large for a message or a table property.</summary>
    public string LargeMessagesContainer { get; }

    /// <summary>The task-hub lease blob.</summary>
    public string LeasesContainer { get; }

    /// <summary>Throws unless <paramref name="hubName"/> is a valid task hub name, stating the rule.</summary>
    public static void Validate(string? hubName)
    {
        if (hubName is null || !HubNamePattern().IsMatch(hubName))
        {
            throw new ArgumentException(
                $"Task hub name '{hubName}' is invalid: it must be 3 to 45 characters, letters and digits only, starting with a letter (it names Azure queues, tables and blob containers).",
                nameof(hubName));
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,44}$")]
    private static partial Regex HubNamePattern();
}
