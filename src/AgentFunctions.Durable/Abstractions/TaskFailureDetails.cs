namespace AgentFunctions.Durable;

/// <summary>
/// A failure as it crosses the durable boundary: recorded in history, returned to the caller of an activity or
/// sub-orchestration, and reported on a failed instance. Exceptions are not serialized; this record is.
/// </summary>
/// <param name="ErrorType">Full name of the exception type that caused the failure.</param>
/// <param name="ErrorMessage">The exception's message.</param>
/// <param name="StackTrace">The stack trace where the failure was raised, if any.</param>
/// <param name="InnerFailure">The cause, when the exception had an inner exception.</param>
/// <param name="IsNonRetriable">True when the failure says retrying cannot help (see <see cref="NonRetryableException"/>).</param>
public sealed record TaskFailureDetails(
    string ErrorType,
    string ErrorMessage,
    string? StackTrace = null,
    TaskFailureDetails? InnerFailure = null,
    bool IsNonRetriable = false)
{
    /// <summary>Builds failure details from an exception, its inner exceptions included.</summary>
    public static TaskFailureDetails FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is TaskFailedException failed)
        {
            // A failure that already crossed the boundary keeps its original details as the cause.
            return new(exception.GetType().FullName!, exception.Message, exception.StackTrace, failed.FailureDetails, failed.FailureDetails.IsNonRetriable);
        }

        var inner = exception.InnerException is null ? null : FromException(exception.InnerException);
        return new(exception.GetType().FullName!, exception.Message, exception.StackTrace, inner, exception is NonRetryableException);
    }

    /// <summary>True when this failure, or any cause, was raised by an exception of type <typeparamref name="T"/>.</summary>
    public bool IsCausedBy<T>()
        where T : Exception
    {
        for (var current = this; current is not null; current = current.InnerFailure)
        {
            if (current.ErrorType == typeof(T).FullName)
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    public override string ToString() =>
        InnerFailure is null ? $"{ErrorType}: {ErrorMessage}" : $"{ErrorType}: {ErrorMessage} ---> {InnerFailure}";
}
