namespace AgentFunctions.Bench.Scenarios;

/// <summary>
/// Sizes of the host scenarios. H1: a warm-up at the same rate (its runs drained before the measurement), then an
/// open-loop submission rate held for a duration, then a bounded wait for every accepted run to finish. H2: how many
/// approval round trips to time. H3: how many research runs to time one at a time. H4: how many runs are mid-way
/// at the kill, and how long to wait for them after the restart.
/// </summary>
public sealed record HostBenchOptions(double H1Rate, double H1Seconds, int H2Runs, TimeSpan DrainLimit, double H1WarmupSeconds, int H3Runs, int H4Runs, TimeSpan H4Limit)
{
    public static HostBenchOptions Full { get; } = new(300, 30, 30, TimeSpan.FromMinutes(20), 5, 30, 5, TimeSpan.FromMinutes(7));

    public static HostBenchOptions Quick { get; } = new(50, 5, 10, TimeSpan.FromMinutes(3), 0, 10, 3, TimeSpan.FromMinutes(2));

    public int H1Requests => (int)Math.Round(H1Rate * H1Seconds);
}
