namespace AgentFunctions.Bench.Scenarios;

/// <summary>
/// Sizes of the host load scenarios. H1: a warm-up at the same rate (its runs drained before the measurement),
/// then an open-loop submission rate held for a duration, then a bounded wait for every accepted run to finish.
/// H2: how many approval round trips to time.
/// </summary>
public sealed record HostBenchOptions(double H1Rate, double H1Seconds, int H2Runs, TimeSpan DrainLimit, double H1WarmupSeconds)
{
    public static HostBenchOptions Full { get; } = new(300, 30, 30, TimeSpan.FromMinutes(20), 5);

    public static HostBenchOptions Quick { get; } = new(50, 5, 10, TimeSpan.FromMinutes(3), 0);

    public int H1Requests => (int)Math.Round(H1Rate * H1Seconds);
}
