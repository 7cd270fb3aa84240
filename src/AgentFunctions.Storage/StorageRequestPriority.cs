namespace AgentFunctions.Storage;

/// <summary>
/// Marks the storage requests of a flow as background work (a durable worker's dispatch, renewals, pumps) or
/// foreground work (a caller waiting on an HTTP answer). Background requests share a bounded number of
/// in-flight slots (<see cref="StorageClientOptions.MaxBackgroundInFlight"/>); foreground requests never wait
/// for one, so a busy worker cannot queue hundreds of requests ahead of a client's in the storage service.
/// </summary>
/// <remarks>The mark flows with the async context: tasks started inside a scope inherit it.</remarks>
public static class StorageRequestPriority
{
    private static readonly AsyncLocal<bool> _background = new();

    /// <summary>True when requests of the current flow are background work.</summary>
    public static bool IsBackground => _background.Value;

    /// <summary>Marks the current flow, until the scope is disposed, as background work.</summary>
    /// <returns>The scope; disposing it restores the previous mark.</returns>
    public static Scope Background() => new(true);

    /// <summary>Marks the current flow, until the scope is disposed, as foreground work.</summary>
    /// <returns>The scope; disposing it restores the previous mark.</returns>
    public static Scope Foreground() => new(false);

    /// <summary>A priority scope.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly bool _previous;

        internal Scope(bool background)
        {
            _previous = _background.Value;
            _background.Value = background;
        }

        /// <inheritdoc />
        public void Dispose() => _background.Value = _previous;
    }
}
