namespace AgentFunctions.Research.Tests.Search;

/// <summary>Finds checked-in sample folders by walking up from the test binaries to the repository root.</summary>
internal static class RepositoryPaths
{
    public static string CorpusDirectory => Find(Path.Combine("samples", "corpus"));

    /// <summary>The development set: tune on these.</summary>
    public static string EvalQuestionsFile => Path.Combine(Find(Path.Combine("samples", "eval")), "questions.json");

    /// <summary>The held-out set: measured, never tuned on.</summary>
    public static string HeldOutQuestionsFile => Path.Combine(Find(Path.Combine("samples", "eval")), "heldout.json");

    public static string CorpusFactsFile => Path.Combine(Find(Path.Combine("samples", "eval")), "corpus-facts.json");

    private static string Find(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relative);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No '{relative}' folder above '{AppContext.BaseDirectory}'.");
    }
}
