using System.Text.Encodings.Web;
using AgentFunctions.Host.Configuration;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Host.Management;

/// <summary>The Durable Functions check-status body (<c>CreateCheckStatusResponse</c>), camelCase on the wire.</summary>
/// <param name="Id">The instance id.</param>
/// <param name="StatusQueryGetUri">GET: the instance status.</param>
/// <param name="SendEventPostUri">POST: raise an event (replace <c>{eventName}</c>).</param>
/// <param name="TerminatePostUri">POST: terminate (replace <c>{text}</c> with the reason).</param>
/// <param name="PurgeHistoryDeleteUri">DELETE: purge the finished instance.</param>
/// <param name="SuspendPostUri">POST: suspend.</param>
/// <param name="ResumePostUri">POST: resume.</param>
public sealed record CheckStatusResponse(
    string Id,
    string StatusQueryGetUri,
    string SendEventPostUri,
    string TerminatePostUri,
    string PurgeHistoryDeleteUri,
    string SuspendPostUri,
    string ResumePostUri)
{
    /// <summary>The management API's route prefix.</summary>
    public const string ManagementPrefix = "/runtime/webhooks/durabletask";

    /// <summary>
    /// Builds the links on the request's own base address. As in Durable Functions, they carry the task hub,
    /// the connection name and, when keys are configured, a system key, so the caller can follow them as is.
    /// </summary>
    internal static CheckStatusResponse Create(HttpRequest request, string instanceId, HostSettings settings)
    {
        var instance = $"{request.Scheme}://{request.Host}{request.PathBase}{ManagementPrefix}/instances/{UrlEncoder.Default.Encode(instanceId)}";
        var query = $"taskHub={UrlEncoder.Default.Encode(settings.DurableTask.HubName)}&connection=Storage";
        if (settings.Keys.System.Count > 0)
        {
            query += $"&code={UrlEncoder.Default.Encode(settings.Keys.System[0])}";
        }

        return new CheckStatusResponse(
            instanceId,
            $"{instance}?{query}",
            $"{instance}/raiseEvent/{{eventName}}?{query}",
            $"{instance}/terminate?reason={{text}}&{query}",
            $"{instance}?{query}",
            $"{instance}/suspend?reason={{text}}&{query}",
            $"{instance}/resume?reason={{text}}&{query}");
    }
}
