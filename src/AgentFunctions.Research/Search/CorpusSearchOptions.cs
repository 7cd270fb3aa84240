namespace AgentFunctions.Research.Search;

/// <summary>Ranking parameters of <see cref="CorpusSearchProvider"/> (BM25F over title and body).</summary>
/// <param name="K1">Term-frequency saturation: how quickly repeated occurrences stop adding score.</param>
/// <param name="B">Length normalization in [0, 1]: 0 ignores document length, 1 normalizes fully.</param>
/// <param name="TitleBoost">Weight of a title occurrence relative to a body occurrence.</param>
public sealed record CorpusSearchOptions(double K1 = 1.2, double B = 0.75, double TitleBoost = 2.5)
{
    /// <summary>The defaults used when no options are given.</summary>
    public static CorpusSearchOptions Default { get; } = new();

    /// <summary>Throws when a parameter is outside its meaningful range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public void Validate()
    {
        if (!(K1 > 0) || double.IsInfinity(K1))
        {
            throw new ArgumentOutOfRangeException(nameof(K1), K1, "K1 must be a positive, finite number.");
        }

        if (!(B is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(B), B, "B must be between 0 and 1.");
        }

        if (!(TitleBoost >= 0) || double.IsInfinity(TitleBoost))
        {
            throw new ArgumentOutOfRangeException(nameof(TitleBoost), TitleBoost, "TitleBoost must be zero or a positive, finite number.");
        }
    }
}
