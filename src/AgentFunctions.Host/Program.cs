using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using AgentFunctions.Research.Configuration;

try
{
    var builder = FunctionsHostBuilder.Create(args);
    builder.AddAgentFunctionsHost();
    var app = builder.Build();
    app.MapAgentFunctionsApi();
    await app.RunAsync();
    return 0;
}
catch (HostConfigurationException ex)
{
    await Console.Error.WriteLineAsync($"AgentFunctions.Host cannot start. {ex.Message}");
    return 2;
}
catch (InvalidSettingException ex)
{
    // A pipeline setting read when a service is first built, after the host began to start.
    await Console.Error.WriteLineAsync($"AgentFunctions.Host cannot start. {ex.Message}");
    return 2;
}
