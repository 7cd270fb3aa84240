namespace AgentFunctions.Research.Search;

/// <summary>One document of the offline search corpus, as stored in a <c>samples/corpus/*.json</c> file.</summary>
/// <param name="Id">Stable, unique identifier such as <c>dur-001</c>; becomes the hit's source id.</param>
/// <param name="Title">Document title.</param>
/// <param name="Url">Canonical URL (fictional for the sample corpus).</param>
/// <param name="Date">Publication date.</param>
/// <param name="Topic">A coarse subject label.</param>
/// <param name="Body">The full text that agents may quote.</param>
public sealed record CorpusDocument(string Id, string Title, Uri Url, DateOnly Date, string Topic, string Body);
