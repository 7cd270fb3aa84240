using AgentFunctions.Research.Configuration;
using Microsoft.DurableTask;

namespace AgentFunctions.Research.Orchestration;

/// <summary>A durable retry schedule: attempts and a backoff waited on durable timers.</summary>
public sealed class DurableRetryOptions
{
    /// <summary>Attempts in all, the first one included.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Wait before the first retry.</summary>
    public TimeSpan FirstInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Each wait is the previous one times this (at least 1).</summary>
    public double BackoffCoefficient { get; set; } = 2;

    /// <summary>Longest single wait.</summary>
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The schedule as the pinned, serializable form a run keeps in its history.</summary>
    public RetrySchedule ToSchedule() => new(MaxAttempts, FirstInterval, BackoffCoefficient, MaxInterval);

    internal void Validate(string name)
    {
        if (MaxAttempts < 1)
        {
            throw new InvalidSettingException($"{ResearchPipelineOptions.SectionName}:{name}:{nameof(MaxAttempts)}", $"{MaxAttempts} is out of range; it must be at least 1.");
        }

        if (FirstInterval <= TimeSpan.Zero || MaxInterval < FirstInterval)
        {
            throw new InvalidSettingException(
                $"{ResearchPipelineOptions.SectionName}:{name}:{nameof(FirstInterval)}", $"{FirstInterval} must be positive and not above {nameof(MaxInterval)} ({MaxInterval}).");
        }

        if (BackoffCoefficient < 1)
        {
            throw new InvalidSettingException($"{ResearchPipelineOptions.SectionName}:{name}:{nameof(BackoffCoefficient)}", $"{BackoffCoefficient} is out of range; it must be at least 1.");
        }
    }
}

/// <summary>A retry schedule as pinned into a run's history.</summary>
/// <param name="MaxAttempts">Attempts in all.</param>
/// <param name="FirstInterval">Wait before the first retry.</param>
/// <param name="BackoffCoefficient">Growth of each wait.</param>
/// <param name="MaxInterval">Longest single wait.</param>
public sealed record RetrySchedule(int MaxAttempts, TimeSpan FirstInterval, double BackoffCoefficient, TimeSpan MaxInterval)
{
    /// <summary>
    /// A durable retry on this schedule that retries only the failures <paramref name="handle"/> accepts: the waits
    /// between attempts are durable timers, and <see cref="NonRetryableException"/> is never retried.
    /// </summary>
    /// <param name="handle">Which failures are worth retrying.</param>
    public TaskOptions ToTaskOptions(Func<TaskFailureDetails, bool> handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var policy = new RetryPolicy(MaxAttempts, FirstInterval, BackoffCoefficient, MaxInterval)
        {
            HandleFailure = failure => !failure.IsCausedBy<NonRetryableException>() && handle(failure),
        };
        return TaskOptions.FromRetryPolicy(policy);
    }
}
