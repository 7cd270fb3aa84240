using System.Globalization;
using System.Text.Json;
using AgentFunctions.Bench.Scenarios;

namespace AgentFunctions.Bench;

/// <summary>
/// Runs the named scenarios, prints a table and writes JSON to bench/results/.
/// Usage: dotnet run -c Release --project bench/AgentFunctions.Bench -- [scenarios] [options]
/// Engine in this process on Azurite (s1 s3 by default): s1 HelloCities5, s3 fan-out of 1,000, s3x fan-out of 10,000 (bounded)
///   [--profiles default,local,tuned] [--reps 3] [--hello-instances 300] [--fanout-seconds 180]; BENCH_ENGINE sets the tuned knobs.
/// Research quality (only when named): eval, the development and held-out question sets side by side.
/// Host process (only when named; minutes): h1 submit load, h2 signed approval, h3 research run latency, h4 kill -9 and restart
///   [--host-profiles default,local] [--h1-rate 300] [--h1-seconds 30] [--h1-warmup-seconds 5] [--h1-drain-seconds 1200]
///   [--h2-runs 30] [--h3-runs 30] [--h4-runs 5] [--h4-seconds 420]; BENCH_HOST_SETTINGS adds host settings.
/// </summary>
public static class BenchRunner
{
    private static readonly string[] ValueOptions =
    [
        "--h1-rate", "--h1-seconds", "--h1-warmup-seconds", "--h1-drain-seconds", "--h2-runs", "--h3-runs", "--h4-runs", "--h4-seconds",
        "--profiles", "--host-profiles", "--reps", "--hello-instances", "--fanout-seconds",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var selected = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (ValueOptions.Contains(args[i]))
            {
                values[args[i]] = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value after it.");
            }
            else if (args[i] == "--quick")
            {
                continue;
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
            else
            {
                selected.Add(args[i].ToLowerInvariant());
            }
        }

        var known = new HashSet<string>(["s1", "s3", "s3x", "eval", "h1", "h2", "h3", "h4"], StringComparer.Ordinal);
        if (selected.FirstOrDefault(n => !known.Contains(n)) is { } unknown)
        {
            throw new ArgumentException($"Unknown scenario '{unknown}': use {string.Join(" ", known)}.");
        }

        if (selected.Count == 0)
        {
            selected.UnionWith(["s1", "s3"]);
        }

        var hostOptions = ReadHostOptions(values, quick ? HostBenchOptions.Quick : HostBenchOptions.Full);
        var results = new List<BenchResult>
        {
            new("machine", "load average (1 min) at start", LoadAverage(), "", "-", null, $"{Environment.ProcessorCount} cores, shared"),
        };
        var engine = selected.Intersect(["s1", "s3", "s3x"]).ToHashSet();
        if (engine.Count > 0)
        {
            results.AddRange(await EngineScenarios.RunAsync(
                engine,
                List(values, "--profiles", "default,local"),
                Number(values, "--reps", quick ? 1 : 3, 1),
                Number(values, "--hello-instances", quick ? 100 : 300, 1),
                TimeSpan.FromSeconds(Number(values, "--fanout-seconds", 180, 1))));
        }

        // The quality evaluation prints its own table (development and held-out side by side); only when named.
        if (selected.Contains("eval"))
        {
            results.AddRange(await EvalScenarios.RunAsync(FindRepoRoot()));
        }

        // The host scenarios take minutes, so they run only when named.
        var hostScenarios = selected.Intersect(["h1", "h2", "h3", "h4"]).ToHashSet();
        if (hostScenarios.Count > 0)
        {
            results.AddRange(await HostScenarios.RunAsync(hostScenarios, hostOptions, List(values, "--host-profiles", "default,local"), FindRepoRoot()));
        }

        results.Add(new("machine", "load average (1 min) at end", LoadAverage(), "", "-", null));
        Print(results);
        var dir = Path.Combine(FindRepoRoot(), "bench", "results");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, $"bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
        {
            machine = new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), runtime = Environment.Version.ToString() },
            args,
            results,
        }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        Console.WriteLine($"results written to {file}");
        return 0;
    }

    /// <summary>The machine's 1-minute load average (NaN where /proc/loadavg is missing).</summary>
    public static double LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    private static IReadOnlyList<string> List(Dictionary<string, string> values, string option, string fallback) =>
        values.GetValueOrDefault(option, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int Number(Dictionary<string, string> values, string option, int fallback, int min)
    {
        if (!values.TryGetValue(option, out var text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw new ArgumentException($"{option} needs a whole number of at least {min}, not '{text}'.");
    }

    /// <summary>The host options over <paramref name="defaults"/>: --h1-warmup-seconds may be 0, the others must be positive.</summary>
    private static HostBenchOptions ReadHostOptions(Dictionary<string, string> values, HostBenchOptions defaults)
    {
        var options = defaults;
        foreach (var (option, text) in values.Where(v => v.Key.StartsWith("--h", StringComparison.Ordinal) && v.Key != "--hello-instances" && v.Key != "--host-profiles"))
        {
            var zeroAllowed = option == "--h1-warmup-seconds";
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || (value == 0 && !zeroAllowed))
            {
                throw new ArgumentException($"{option} needs a {(zeroAllowed ? "non-negative" : "positive")} number, not '{text}'.");
            }

            options = option switch
            {
                "--h1-rate" => options with { H1Rate = value },
                "--h1-seconds" => options with { H1Seconds = value },
                "--h1-warmup-seconds" => options with { H1WarmupSeconds = value },
                "--h1-drain-seconds" => options with { DrainLimit = TimeSpan.FromSeconds(value) },
                "--h2-runs" => options with { H2Runs = (int)value },
                "--h3-runs" => options with { H3Runs = (int)value },
                "--h4-runs" => options with { H4Runs = (int)value },
                _ => options with { H4Limit = TimeSpan.FromSeconds(value) },
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
