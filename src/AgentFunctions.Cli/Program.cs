using AgentFunctions.Cli;
using Spectre.Console;

return await AgentFn.RunAsync(args, AnsiConsole.Console, Environment.GetEnvironmentVariable);
