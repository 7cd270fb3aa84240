namespace AgentFunctions.Research.Contracts;

/// <summary>Model usage, summed over a run.</summary>
/// <param name="InputTokens">Prompt tokens.</param>
/// <param name="OutputTokens">Completion tokens.</param>
/// <param name="LlmCalls">Model calls made, retries included.</param>
public sealed record Usage(long InputTokens, long OutputTokens, int LlmCalls)
{
    /// <summary>No usage.</summary>
    public static Usage None { get; } = new(0, 0, 0);

    /// <summary>Input plus output tokens.</summary>
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>The sum of two usages.</summary>
    public static Usage operator +(Usage left, Usage right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new(left.InputTokens + right.InputTokens, left.OutputTokens + right.OutputTokens, left.LlmCalls + right.LlmCalls);
    }

    /// <summary>The sum of two usages.</summary>
    public Usage Add(Usage other) => this + other;
}
