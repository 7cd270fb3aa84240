using AgentFunctions.Bench;

return await BenchRunner.RunAsync(args);
