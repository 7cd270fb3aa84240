using System.Security.Cryptography;
using System.Text;

namespace AgentFunctions.Host.Configuration;

/// <summary>
/// Function keys (<c>AgentFunctions:Keys:Function</c>) open <c>/api/*</c>; system keys
/// (<c>AgentFunctions:Keys:System</c>) open that and the management API. Several keys may be listed,
/// comma-separated, so one can be rotated while the other still works.
/// </summary>
/// <param name="Function">Function-level keys.</param>
/// <param name="System">System-level keys.</param>
public sealed record FunctionKeys(IReadOnlyList<string> Function, IReadOnlyList<string> System)
{
    /// <summary>True when any key is configured; otherwise the host serves loopback only.</summary>
    public bool Enabled => Function.Count > 0 || System.Count > 0;

    /// <summary>True when <paramref name="presented"/> is a system key.</summary>
    public bool IsSystemKey(string? presented) => Matches(presented, System);

    /// <summary>True when <paramref name="presented"/> is a function or a system key.</summary>
    public bool IsFunctionKey(string? presented) => Matches(presented, Function) || Matches(presented, System);

    private static bool Matches(string? presented, IReadOnlyList<string> keys)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        var candidate = Encoding.UTF8.GetBytes(presented);
        var found = false;

        // Every key is compared, in constant time, so timing tells nothing about which one (if any) matched.
        foreach (var key in keys)
        {
            found |= CryptographicOperations.FixedTimeEquals(candidate, Encoding.UTF8.GetBytes(key));
        }

        return found;
    }
}
