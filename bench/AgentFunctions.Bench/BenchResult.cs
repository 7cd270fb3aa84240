namespace AgentFunctions.Bench;

/// <summary>One measured figure of a scenario, with its target for the README table.</summary>
public sealed record BenchResult(string Scenario, string Metric, double Value, string Unit, string Target, bool? Met, string Notes = "");

/// <summary>Small statistics helpers.</summary>
public static class Stats
{
    public static double Median(IEnumerable<double> values) => Percentile(values, 50);

    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = p / 100.0 * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);

        // Spelled out so a run that never finished (+infinity) stays infinite instead of turning the result NaN.
        if (low == high || sorted[low] == sorted[high])
        {
            return sorted[low];
        }

        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }
}
