using AgentFunctions.Cli;
using Spectre.Console;

namespace AgentFunctions.Cli.Tests;

/// <summary>Runs agentfn in process against a plain, wide, non-interactive console and keeps what it printed.</summary>
internal static class CliConsole
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string[] args, IDictionary<string, string>? environment = null)
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 400;
        var variables = environment ?? new Dictionary<string, string>();
        var exitCode = await AgentFn.RunAsync(args, console, name => variables.TryGetValue(name, out var value) ? value : null, TimeSpan.FromMilliseconds(200));
        return (exitCode, writer.ToString());
    }
}
