namespace AgentFunctions.Research.Agents;

/// <summary>Options of the <see cref="CitationCheckerAgent"/>.</summary>
public sealed class CitationCheckerOptions : AgentOptions
{
    /// <summary>
    /// Whether, after the code checks pass, one model call judges whether each quote supports its claim.
    /// Off by default: the code checks are what the pipeline relies on, and the pass costs one call per draft.
    /// </summary>
    public bool VerifySupportWithModel { get; set; }
}
