using Azure;

namespace AgentFunctions.Host.Hosting;

/// <summary>
/// How the Azure SDK's storage failures look: a <see cref="RequestFailedException"/> carrying the service's
/// status (0 when nothing answered), or, once the client's retries are spent, an <see cref="AggregateException"/>
/// of one failure per attempt (timeouts among them as <see cref="OperationCanceledException"/>).
/// </summary>
internal static class StorageErrors
{
    /// <summary>Whether <paramref name="exception"/> is a failed storage call, whatever the status.</summary>
    public static bool IsStorageFailure(Exception exception) => exception switch
    {
        RequestFailedException => true,

        // The engine's provider wraps the SDK's failure in its own exception type.
        { InnerException: RequestFailedException } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0
            && aggregate.InnerExceptions.All(e => e is RequestFailedException or OperationCanceledException),
        _ => false,
    };

    /// <summary>
    /// Whether storage could not serve the call for now (no answer, timeout, throttling, a server error), as
    /// opposed to refusing it (4xx): a caller may retry the same request in a few seconds.
    /// </summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        RequestFailedException failed => IsTransientStatus(failed.Status),
        { InnerException: RequestFailedException inner } => IsTransientStatus(inner.Status),
        AggregateException aggregate => IsStorageFailure(aggregate)
            && aggregate.InnerExceptions.All(e => e is OperationCanceledException || (e is RequestFailedException f && IsTransientStatus(f.Status))),
        _ => false,
    };

    /// <summary>The status of the last attempt: 0 when nothing answered, null when not a storage failure.</summary>
    public static int? Status(Exception exception) => exception switch
    {
        RequestFailedException failed => failed.Status,
        { InnerException: RequestFailedException inner } => inner.Status,
        AggregateException aggregate when IsStorageFailure(aggregate) => aggregate.InnerExceptions[^1] is RequestFailedException last ? last.Status : 0,
        _ => null,
    };

    private static bool IsTransientStatus(int status) => status is 0 or 408 or 429 or >= 500;
}
