using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace AgentFunctions.Research.Telemetry;

/// <summary>
/// Puts every activity of one orchestration instance into one trace. Activities of a run execute at different
/// times, possibly in different processes, with no ambient parent; deriving the trace id from the instance id
/// gives them the same trace without carrying context through history. Agent spans nest under the step span.
/// </summary>
public static class RunTrace
{
    /// <summary>Tag carrying the orchestration instance id.</summary>
    public const string InstanceIdTag = "research.instance_id";

    /// <summary>Tag carrying the pipeline step.</summary>
    public const string StepTag = "research.step";

    /// <summary>The trace id every span of <paramref name="instanceId"/> shares.</summary>
    /// <param name="instanceId">The orchestration instance id.</param>
    public static ActivityTraceId TraceIdFor(string instanceId)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(instanceId), hash);
        return ActivityTraceId.CreateFromBytes(hash[..16]);
    }

    /// <summary>Starts the span of one pipeline step of a run (null when nobody listens).</summary>
    /// <param name="step">The step, e.g. <c>search</c>.</param>
    /// <param name="instanceId">The orchestration instance id.</param>
    public static Activity? StartStep(string step, string instanceId)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(instanceId), hash);
        var parent = new ActivityContext(
            ActivityTraceId.CreateFromBytes(hash[..16]), ActivitySpanId.CreateFromBytes(hash[16..24]), ActivityTraceFlags.Recorded);
        var activity = ResearchTelemetry.ActivitySource.StartActivity($"research {step}", ActivityKind.Internal, parent);
        activity?.SetTag(InstanceIdTag, instanceId);
        activity?.SetTag(StepTag, step);
        return activity;
    }
}
