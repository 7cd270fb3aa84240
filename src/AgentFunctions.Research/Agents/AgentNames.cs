namespace AgentFunctions.Research.Agents;

/// <summary>
/// Agent names: the <c>agent</c> tag of telemetry, the name in errors, and the value of
/// <see cref="ChatOptionsKey"/> that tells a provider (the offline model) which contract a call fulfils.
/// </summary>
public static class AgentNames
{
    /// <summary>The key in <c>ChatOptions.AdditionalProperties</c> carrying the calling agent's name.</summary>
    public const string ChatOptionsKey = "agentfunctions.agent";

    /// <summary>Decomposes a question into sub-queries.</summary>
    public const string Planner = "planner";

    /// <summary>Judges one source.</summary>
    public const string SourceValidator = "source-validator";

    /// <summary>Writes the cited report.</summary>
    public const string Synthesizer = "synthesizer";

    /// <summary>Checks the report's citations.</summary>
    public const string CitationChecker = "citation-checker";
}
