namespace AgentFunctions.Research.Search;

/// <summary>Decides which folder the offline corpus is loaded from.</summary>
public static class CorpusLocator
{
    /// <summary>The folder name the Research project copies the corpus to in every referencing project's output.</summary>
    public const string OutputFolderName = "corpus";

    /// <summary>
    /// Resolves the corpus folder: <paramref name="configuredPath"/> when given (relative paths against
    /// <paramref name="baseDirectory"/>), else <c>&lt;baseDirectory&gt;/corpus</c> (the copy shipped with the
    /// build output), else the first <c>samples/corpus</c> found walking up from <paramref name="baseDirectory"/>.
    /// </summary>
    /// <param name="configuredPath">The configured path (<c>AgentFunctions:Search:CorpusPath</c>), if any.</param>
    /// <param name="baseDirectory">Where the application runs from, normally <see cref="AppContext.BaseDirectory"/>.</param>
    /// <returns>The full path of an existing folder.</returns>
    /// <exception cref="DirectoryNotFoundException">The configured folder does not exist, or no corpus was found.</exception>
    public static string Resolve(string? configuredPath, string baseDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseDirectory);
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            var full = Path.GetFullPath(configuredPath, baseDirectory);
            return Directory.Exists(full)
                ? full
                : throw new DirectoryNotFoundException(
                    $"The configured corpus folder '{configuredPath}' (resolved to '{full}') does not exist; fix AgentFunctions:Search:CorpusPath.");
        }

        var shipped = Path.Combine(baseDirectory, OutputFolderName);
        if (Directory.Exists(shipped))
        {
            return Path.GetFullPath(shipped);
        }

        for (var directory = new DirectoryInfo(baseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "samples", "corpus");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"No search corpus found: neither '{shipped}' nor a 'samples/corpus' folder above '{baseDirectory}' exists. Set AgentFunctions:Search:CorpusPath, or AZURE_SEARCH_ENDPOINT and AZURE_SEARCH_INDEX to use Azure AI Search.");
    }
}
