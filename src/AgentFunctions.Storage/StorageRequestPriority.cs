namespace AgentFunctions.Storage;

/// <summary>
/// Marks the storage requests of a flow as foreground work (a caller waiting on an HTTP answer), background work
/// (a durable worker's dispatch and pumps) or upkeep (lease and visibility renewals). Background requests share
/// a bounded number of in-flight slots (<see cref="StorageClientOptions.MaxBackgroundInFlight"/>, fewer while
/// foreground requests are about); foreground requests never wait for one, so a busy worker cannot queue hundreds
/// of requests ahead of a client's in the storage service. Upkeep never waits for a slot either, and does not
/// count as a client being about: it is the worker's own must-not-be-late work.
/// </summary>
/// <remarks>The mark flows with the async context: tasks started inside a scope inherit it.</remarks>
public static class StorageRequestPriority
{
    private static readonly AsyncLocal<Level> _level = new();

    /// <summary>The kinds of work.</summary>
    public enum Level
    {
        /// <summary>A caller waits on it (the default).</summary>
        Foreground,

        /// <summary>A worker's throughput work: bounded in flight.</summary>
        Background,

        /// <summary>A worker's deadline work (renewals): unbounded, and not a client.</summary>
        Upkeep,
    }

    /// <summary>The current flow's kind of work.</summary>
    public static Level Current => _level.Value;

    /// <summary>True when requests of the current flow are background work.</summary>
    public static bool IsBackground => _level.Value == Level.Background;

    /// <summary>Marks the current flow, until the scope is disposed, as background work.</summary>
    /// <returns>The scope; disposing it restores the previous mark.</returns>
    public static Scope Background() => new(Level.Background);

    /// <summary>Marks the current flow, until the scope is disposed, as foreground work.</summary>
    /// <returns>The scope; disposing it restores the previous mark.</returns>
    public static Scope Foreground() => new(Level.Foreground);

    /// <summary>Marks the current flow, until the scope is disposed, as upkeep (renewals).</summary>
    /// <returns>The scope; disposing it restores the previous mark.</returns>
    public static Scope Upkeep() => new(Level.Upkeep);

    /// <summary>A priority scope.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly Level _previous;

        internal Scope(Level level)
        {
            _previous = _level.Value;
            _level.Value = level;
        }

        /// <inheritdoc />
        public void Dispose() => _level.Value = _previous;
    }
}
