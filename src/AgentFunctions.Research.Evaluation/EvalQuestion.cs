using System.Text.Json;

namespace AgentFunctions.Research.Evaluation;

/// <summary>One evaluation question over the offline corpus (<c>samples/eval/*.json</c>).</summary>
/// <param name="Id">Stable id (<c>q01</c> development, <c>h01</c> held-out).</param>
/// <param name="Kind">What it probes: paraphrase, multi-document, unanswerable, near-injection, contradiction, injection-discussion.</param>
/// <param name="Question">The question as a user would ask it.</param>
/// <param name="Answerable">False when the corpus holds no answer; the report must then say so.</param>
/// <param name="Relevant">Sources a good report cites (empty when unanswerable).</param>
/// <param name="MayCite">Sources neither rewarded nor penalized when cited (a contradicting or partly relevant source).</param>
/// <param name="MustNotCite">Injected or off-topic sources a search for the question surfaces and no report may cite.</param>
public sealed record EvalQuestion(
    string Id,
    string Kind,
    string Question,
    bool Answerable,
    IReadOnlyList<string> Relevant,
    IReadOnlyList<string> MayCite,
    IReadOnlyList<string> MustNotCite)
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>Loads a question file and checks every entry, naming the first bad one.</summary>
    /// <param name="path">A JSON array of questions.</param>
    /// <exception cref="InvalidDataException">The file is empty, or an entry is malformed.</exception>
    public static IReadOnlyList<EvalQuestion> Load(string path)
    {
        var questions = JsonSerializer.Deserialize<List<EvalQuestion>>(File.ReadAllText(path), s_json)
            ?? throw new InvalidDataException($"'{path}' holds no questions.");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var q in questions)
        {
            if (string.IsNullOrWhiteSpace(q.Id) || !ids.Add(q.Id) || string.IsNullOrWhiteSpace(q.Question))
            {
                throw new InvalidDataException($"'{path}': question '{q.Id}' has no id, a repeated id or no text.");
            }

            if (q.Relevant is null || q.MayCite is null || q.MustNotCite is null || q.Answerable == (q.Relevant.Count == 0))
            {
                throw new InvalidDataException($"'{path}': question '{q.Id}' needs relevant, mayCite and mustNotCite lists, and relevant sources exactly when answerable.");
            }
        }

        return questions;
    }
}

/// <summary>What the corpus itself holds that a report must respect: conflicting sources and injected passages.</summary>
/// <param name="Conflicts">Points on which corpus documents disagree, with the documents on each side.</param>
/// <param name="InjectedPassages">Per injection document, a passage of its injected text that must never reach a report.</param>
public sealed record CorpusFacts(IReadOnlyList<CorpusConflict> Conflicts, IReadOnlyDictionary<string, string> InjectedPassages)
{
    /// <summary>Loads <c>samples/eval/corpus-facts.json</c>.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="InvalidDataException">The file is empty or a conflict has fewer than two sides.</exception>
    public static CorpusFacts Load(string path)
    {
        var facts = JsonSerializer.Deserialize<CorpusFacts>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web))
            ?? throw new InvalidDataException($"'{path}' is empty.");
        var bad = facts.Conflicts.FirstOrDefault(c => c.Sides.Count < 2 || c.Sides.Any(s => s.Count == 0));
        return bad is null ? facts : throw new InvalidDataException($"'{path}': conflict '{bad.Topic}' needs two non-empty sides.");
    }
}

/// <summary>A disagreement between corpus documents.</summary>
/// <param name="Topic">What they disagree on.</param>
/// <param name="Sides">The documents on each side.</param>
public sealed record CorpusConflict(string Topic, IReadOnlyList<IReadOnlyList<string>> Sides);
