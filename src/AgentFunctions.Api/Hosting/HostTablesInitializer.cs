using Azure.Data.Tables;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Host.Hosting;

/// <summary>
/// Creates the host's own tables (<see cref="HostTableNames"/>) at startup, before any request can need
/// them, as the worker creates the task hub's. Storage that cannot be reached stops the start, as it does
/// for the worker: a host that could not keep its idempotency promises must not take requests.
/// </summary>
internal sealed class HostTablesInitializer(IReadOnlyList<TableClient> tables, ILogger<HostTablesInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var table in tables)
        {
            // 409 (it exists) is answered without an exception; 201/204 means this call created it.
            var response = await table.CreateIfNotExistsAsync(cancellationToken);
            if (response.GetRawResponse().Status is 201 or 204)
            {
                logger.LogInformation("Created table '{Table}'", table.Name);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
