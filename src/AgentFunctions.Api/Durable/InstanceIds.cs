namespace AgentFunctions.Host.Durable;

/// <summary>The instance ids a task hub on Azure Storage can hold; checked the same way by every host.</summary>
public static class InstanceIds
{
    /// <summary>Longest accepted instance id (the Instances table's row key limit leaves room for this).</summary>
    public const int MaxLength = 256;

    /// <summary>Rejects ids the task hub cannot hold, naming the problem.</summary>
    /// <param name="instanceId">The proposed id.</param>
    /// <exception cref="ArgumentException">The id is empty, too long, or holds a character Azure Table keys forbid.</exception>
    public static void Validate(string instanceId)
    {
        if (string.IsNullOrWhiteSpace(instanceId))
        {
            throw new ArgumentException("An instance id must not be empty.", nameof(instanceId));
        }

        if (instanceId.Length > MaxLength)
        {
            throw new ArgumentException($"An instance id has at most {MaxLength} characters; this one has {instanceId.Length}.", nameof(instanceId));
        }

        if (instanceId.IndexOfAny(['/', '\\', '#', '?']) >= 0 || instanceId.Any(char.IsControl))
        {
            throw new ArgumentException("An instance id must not contain '/', '\\', '#', '?' or control characters.", nameof(instanceId));
        }
    }
}
