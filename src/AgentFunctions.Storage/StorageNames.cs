namespace AgentFunctions.Storage;

/// <summary>
/// Azure's naming rules for queues, containers, blobs and tables, checked before any request is sent so a bad
/// name fails fast with the rule in the message instead of as an opaque 400 from the service.
/// </summary>
public static class StorageNames
{
    private const string DnsRule =
        "3-63 characters of lowercase letters, digits and hyphens, starting with a letter or digit, "
        + "with no consecutive hyphens and not ending with a hyphen";

    /// <summary>Throws unless <paramref name="name"/> is a valid queue name.</summary>
    /// <param name="name">The queue name.</param>
    /// <exception cref="ArgumentException">The name breaks the rule; the message states it.</exception>
    public static void ValidateQueueName(string name) => ValidateDnsName(name, "queue");

    /// <summary>Throws unless <paramref name="name"/> is a valid blob container name.</summary>
    /// <param name="name">The container name.</param>
    /// <exception cref="ArgumentException">The name breaks the rule; the message states it.</exception>
    public static void ValidateContainerName(string name) => ValidateDnsName(name, "container");

    /// <summary>Whether <paramref name="name"/> is a valid queue or container name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidQueueOrContainerName(string? name)
    {
        if (name is null || name.Length is < 3 or > 63 || !IsLowerOrDigit(name[0]) || name[^1] == '-')
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!(IsLowerOrDigit(c) || (c == '-' && name[i - 1] != '-')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="name"/> is a valid table name: <c>^[A-Za-z][A-Za-z0-9]{2,62}$</c>, not "tables".</summary>
    /// <param name="name">The name.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidTableName(string? name) =>
        name is { Length: >= 3 and <= 63 }
        && char.IsAsciiLetter(name[0])
        && name.All(char.IsAsciiLetterOrDigit)
        && !string.Equals(name, "tables", StringComparison.OrdinalIgnoreCase);

    /// <summary>Throws unless <paramref name="name"/> is a valid table name.</summary>
    /// <param name="name">The table name.</param>
    /// <exception cref="ArgumentException">The name breaks the rule; the message states it.</exception>
    public static void ValidateTableName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidTableName(name))
        {
            throw new ArgumentException(
                $"'{name}' is not a valid table name: it must be 3-63 ASCII letters and digits, starting with a letter "
                + "(^[A-Za-z][A-Za-z0-9]{2,62}$), and cannot be 'tables'.",
                nameof(name));
        }
    }

    /// <summary>Throws unless <paramref name="name"/> is a valid blob name (1-1024 characters, no control characters).</summary>
    /// <param name="name">The blob name.</param>
    /// <exception cref="ArgumentException">The name breaks the rule.</exception>
    public static void ValidateBlobName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is < 1 or > 1024 || name.Any(char.IsControl) || name.EndsWith('.') || name.EndsWith('/'))
        {
            throw new ArgumentException(
                $"'{name}' is not a valid blob name: it must be 1-1024 characters without control characters "
                + "and must not end with '.' or '/'.",
                nameof(name));
        }
    }

    /// <summary>
    /// Throws unless <paramref name="key"/> is a valid PartitionKey or RowKey: at most 1 KiB and none of
    /// '/', '\', '#', '?' or control characters.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="which">"PartitionKey" or "RowKey", for the message.</param>
    /// <exception cref="ArgumentException">The key breaks the rule.</exception>
    public static void ValidateTableKey(string key, string which)
    {
        ArgumentNullException.ThrowIfNull(key, which);
        if (key.Length > 512 || key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c)))
        {
            throw new ArgumentException(
                $"The {which} is not valid: it must be at most 1 KiB (512 UTF-16 characters) and cannot contain "
                + "'/', '\\', '#', '?' or control characters.",
                which);
        }
    }

    private static void ValidateDnsName(string name, string kind)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidQueueOrContainerName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid {kind} name: it must be {DnsRule}.", nameof(name));
        }
    }

    private static bool IsLowerOrDigit(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}
