using System.Globalization;
using System.Text.Json;
using AgentFunctions.Bench.Scenarios;

namespace AgentFunctions.Bench;

/// <summary>
/// Runs the named scenarios (all by default), prints a table and writes JSON to bench/results/.
/// Usage: dotnet run -c Release --project bench/AgentFunctions.Bench -- [s1 s3 s4 s5 s7a r1 r2 azurite az-s0 az-s1 az-s3 az-s5] [--quick]
/// Research quality (only when named): eval, the development and held-out question sets side by side.
/// Host load (only when named; minutes): h1 h2 [--h1-rate 300] [--h1-seconds 30] [--h1-warmup-seconds 5] [--h2-runs 30].
/// </summary>
public static class BenchRunner
{
    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var hostOptions = ReadHostOptions(args, quick ? HostBenchOptions.Quick : HostBenchOptions.Full, out var optionValues);
        var selected = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && !optionValues.Contains(i)).Select(a => a.ToLowerInvariant()).ToHashSet();
        bool Wants(string name) => selected.Count == 0 || selected.Contains(name);
        selected.Remove("--quick");

        var results = new List<BenchResult>();
        var reps = quick ? 1 : 5;
        if (Wants("s1"))
        {
            results.AddRange(await DurableScenarios.HelloCitiesAsync(1_000, reps));
        }

        if (Wants("s3"))
        {
            results.AddRange(await DurableScenarios.FanOutAsync(quick ? 1 : 3));
        }

        if (Wants("s4"))
        {
            results.AddRange(DurableScenarios.ReplayCost());
        }

        if (Wants("s5"))
        {
            results.AddRange(await DurableScenarios.EventLatencyAsync(quick ? 200 : 2_000));
        }

        if (Wants("s7a"))
        {
            results.AddRange(await DurableScenarios.IdleMemoryAsync(10_000));
        }

        if (Wants("r1"))
        {
            results.AddRange(await ResearchScenarios.SequentialLatencyAsync(quick ? 50 : 200));
        }

        if (Wants("r2"))
        {
            results.AddRange(await ResearchScenarios.ConcurrentRunsAsync(quick ? 20 : 100));
        }

        var azurite = new HashSet<string>(selected.Where(n => n.StartsWith("az-", StringComparison.Ordinal)).Select(n => n[3..]));
        if (selected.Count == 0 || selected.Contains("azurite"))
        {
            azurite.UnionWith(["s0", "s1", "s3", "s5"]);
        }

        if (azurite.Count > 0)
        {
            results.AddRange(await AzuriteScenarios.RunAsync(azurite, quick));
        }

        // The quality evaluation prints its own table (development and held-out side by side); only when named.
        if (selected.Contains("eval"))
        {
            results.AddRange(await EvalScenarios.RunAsync(FindRepoRoot()));
        }

        // The host scenarios take minutes, so they run only when named.
        var hostScenarios = selected.Intersect(["h1", "h2"]).ToHashSet();
        if (hostScenarios.Count > 0)
        {
            results.AddRange(await HostScenarios.RunAsync(hostScenarios, hostOptions, FindRepoRoot()));
        }

        Print(results);
        var dir = Path.Combine(FindRepoRoot(), "bench", "results");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, $"bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
        {
            machine = new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), runtime = Environment.Version.ToString() },
            results,
        }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        Console.WriteLine($"results written to {file}");
        return 0;
    }

    /// <summary>Reads --h1-rate, --h1-seconds, --h1-warmup-seconds (0 allowed) and --h2-runs over <paramref name="defaults"/>; reports which argument positions were their values.</summary>
    private static HostBenchOptions ReadHostOptions(string[] args, HostBenchOptions defaults, out HashSet<int> valuePositions)
    {
        valuePositions = [];
        var options = defaults;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is not ("--h1-rate" or "--h1-seconds" or "--h1-warmup-seconds" or "--h2-runs"))
            {
                continue;
            }

            var zeroAllowed = args[i] == "--h1-warmup-seconds";
            if (i + 1 >= args.Length || !double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || (value == 0 && !zeroAllowed))
            {
                throw new ArgumentException($"{args[i]} needs a {(zeroAllowed ? "non-negative" : "positive")} number after it.");
            }

            valuePositions.Add(i + 1);
            options = args[i] switch
            {
                "--h1-rate" => options with { H1Rate = value },
                "--h1-seconds" => options with { H1Seconds = value },
                "--h1-warmup-seconds" => options with { H1WarmupSeconds = value },
                _ => options with { H2Runs = (int)value },
            };
        }

        return options;
    }

    private static void Print(IReadOnlyList<BenchResult> results)
    {
        Console.WriteLine();
        Console.WriteLine($"{"scenario",-20} {"metric",-44} {"value",12} {"unit",-10} {"target",-14} met");
        Console.WriteLine(new string('-', 110));
        foreach (var r in results)
        {
            var met = r.Met switch { true => "yes", false => "NO", null => "" };
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Scenario,-20} {r.Metric,-44} {r.Value,12:N2} {r.Unit,-10} {r.Target,-14} {met} {r.Notes}"));
        }
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AgentFunctions.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
