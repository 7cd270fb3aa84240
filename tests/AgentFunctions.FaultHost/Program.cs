using AgentFunctions.Durable;
using AgentFunctions.Durable.AzureStorage;
using AgentFunctions.FaultHost;
using Microsoft.Extensions.Logging;

// Usage: AgentFunctions.FaultHost <connection string> <hub name>
// Runs a worker for the fault-test orchestrations until killed; prints "ready" once it holds the task hub.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: AgentFunctions.FaultHost <connection string> <hub name>");
    return 2;
}

using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
var backend = AzureStorageOrchestrationBackend.Create(
    args[0],
    new AzureStorageBackendOptions { TaskHubName = args[1], HostId = "fault-host", MaxPollingInterval = TimeSpan.FromMilliseconds(200) },
    loggerFactory: logging);
var worker = new DurableTaskWorker(backend, FaultOrchestrations.Registry(), options: new DurableTaskWorkerOptions { MaxConcurrentActivities = 4 }, loggerFactory: logging);
await worker.StartAsync(CancellationToken.None);
while (!backend.IsProcessing)
{
    await Task.Delay(10);
}

Console.WriteLine("ready");
await Task.Delay(Timeout.Infinite);
return 0;
