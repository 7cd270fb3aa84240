namespace AgentFunctions.Research.Agents;

/// <summary>Limits of one agent's model calls.</summary>
public class AgentOptions
{
    /// <summary>How many times an invalid reply is sent back for repair before giving up. Default 2.</summary>
    public int MaxRepairs { get; set; } = 2;

    /// <summary>Output token cap per model call; null means the agent's own default.</summary>
    public int? MaxOutputTokens { get; set; }

    internal int ResolveMaxOutputTokens(int agentDefault) => MaxOutputTokens is > 0 ? MaxOutputTokens.Value : agentDefault;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRepairs, nameof(MaxRepairs));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxRepairs, 10, nameof(MaxRepairs));
    }
}
