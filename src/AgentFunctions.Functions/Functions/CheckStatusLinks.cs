using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Management;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Functions.Functions;

/// <summary>The check-status body of a started instance, as the Durable extension builds it in Azure.</summary>
internal static class CheckStatusLinks
{
    /// <summary>
    /// The <c>[DurableClient]</c> binding's client knows the extension's webhook address and the query (task hub,
    /// connection, system key) its management API wants, so it builds the links. A client from elsewhere (a tool, a
    /// test engine) knows neither: the links are then built on the request's address, as the local host builds them.
    /// </summary>
    public static CheckStatusResponse Create(DurableTaskClient client, HttpRequest request, string instanceId, HostSettings settings)
    {
        HttpManagementPayload payload;
        try
        {
            payload = client.CreateHttpManagementPayload(instanceId);
        }
        catch (InvalidOperationException)
        {
            return CheckStatusResponse.Create(request, instanceId, settings);
        }

        return new CheckStatusResponse(
            payload.Id ?? instanceId,
            Link(payload.StatusQueryGetUri),
            Link(payload.SendEventPostUri),
            Link(payload.TerminatePostUri),
            Link(payload.PurgeHistoryDeleteUri),
            Link(payload.SuspendPostUri),
            Link(payload.ResumePostUri));
    }

    private static string Link(string? uri) =>
        uri ?? throw new InvalidOperationException("The Durable extension built a check-status body without every link.");
}
