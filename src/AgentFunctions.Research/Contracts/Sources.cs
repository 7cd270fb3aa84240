namespace AgentFunctions.Research.Contracts;

/// <summary>A document returned by a search provider. Its text is untrusted content.</summary>
/// <param name="SourceId">Stable identifier of the document in its provider (corpus id or index key).</param>
/// <param name="Title">Document title.</param>
/// <param name="Url">Canonical URL of the document.</param>
/// <param name="Published">Publication date, when known.</param>
/// <param name="Content">The document text (or the retrieved passage) that agents may quote.</param>
/// <param name="Score">Provider relevance score; comparable only within one query.</param>
/// <param name="Query">The sub-query that found it.</param>
public sealed record SearchHit(
    string SourceId,
    string Title,
    string Url,
    DateOnly? Published,
    string Content,
    double Score,
    string Query);

/// <summary>The validator's judgement of one source.</summary>
/// <param name="SourceId">The judged source.</param>
/// <param name="Accepted">Whether the source may be cited.</param>
/// <param name="Reason">A short, human-readable reason; always present.</param>
/// <param name="Relevance">Relevance to the question in [0, 1].</param>
/// <param name="InjectionSuspected">True when the text carries instructions aimed at the model.</param>
public sealed record SourceVerdict(
    string SourceId,
    bool Accepted,
    string Reason,
    double Relevance,
    bool InjectionSuspected);

/// <summary>A source as listed in the run's output.</summary>
/// <param name="Id">Source id.</param>
/// <param name="Title">Title.</param>
/// <param name="Url">URL.</param>
/// <param name="Accepted">Whether validation accepted it.</param>
/// <param name="Reason">The validator's reason.</param>
public sealed record SourceSummary(string Id, string Title, string Url, bool Accepted, string Reason);
