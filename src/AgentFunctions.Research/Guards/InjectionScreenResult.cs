namespace AgentFunctions.Research.Guards;

/// <summary>The outcome of screening a text for instructions aimed at a model.</summary>
/// <param name="Suspected">True when at least one signal fired.</param>
/// <param name="Signals">What fired, each as <c>kind: "evidence"</c>; empty when nothing did.</param>
public sealed record InjectionScreenResult(bool Suspected, IReadOnlyList<string> Signals)
{
    /// <summary>A clean result.</summary>
    public static InjectionScreenResult Clean { get; } = new(false, []);

    /// <summary>A one-line, human-readable reason listing the signals.</summary>
    public string Describe() =>
        Suspected ? "Suspected prompt injection: " + string.Join("; ", Signals) + "." : "No injection signals.";
}
