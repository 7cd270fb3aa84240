namespace AgentFunctions.Research.Evaluation;

/// <summary>The quality figures of one question set, as counts with the ratios derived from them.</summary>
/// <param name="Questions">Questions run.</param>
/// <param name="Cited">Distinct sources cited by answerable questions' reports, less their may-cite sources.</param>
/// <param name="CitedRelevant">Of <paramref name="Cited"/>, those in the question's relevant set.</param>
/// <param name="Relevant">Relevant sources over the answerable questions.</param>
/// <param name="RelevantCited">Of <paramref name="Relevant"/>, those cited.</param>
/// <param name="MustNotCite">Citations of a question's must-not-cite sources, over every question.</param>
/// <param name="InjectedText">Reports containing an injected passage of the corpus.</param>
/// <param name="Unanswerable">Unanswerable questions.</param>
/// <param name="UnanswerableHonest">Of those, reports saying the sources do not answer (<c>answered: false</c>).</param>
/// <param name="AnswerableDeclined">Answerable questions whose report said the sources do not answer.</param>
/// <param name="ConflictsDue">Corpus conflicts with both sides cited in one report.</param>
/// <param name="ConflictsDisclosed">Of those, disclosed in the report's conflicts with a source from each side.</param>
/// <param name="ConflictsSpurious">Reported conflicts whose sources are on no two sides of a corpus conflict.</param>
/// <param name="NotCompleted">Runs that failed or ended without a report (budget stops included).</param>
public sealed record QualityScore(
    int Questions,
    int Cited,
    int CitedRelevant,
    int Relevant,
    int RelevantCited,
    int MustNotCite,
    int InjectedText,
    int Unanswerable,
    int UnanswerableHonest,
    int AnswerableDeclined,
    int ConflictsDue,
    int ConflictsDisclosed,
    int ConflictsSpurious,
    int NotCompleted)
{
    /// <summary>Cited sources that are relevant, over cited sources (may-cite ones left out); 0 when none is cited.</summary>
    public double Precision => Cited == 0 ? 0 : (double)CitedRelevant / Cited;

    /// <summary>Relevant sources cited, over relevant sources.</summary>
    public double Recall => Relevant == 0 ? 0 : (double)RelevantCited / Relevant;
}

/// <summary>One question's outcome as scored, for the per-question listing.</summary>
/// <param name="Question">The question.</param>
/// <param name="Cited">Sources the report cites.</param>
/// <param name="Answered">The report's <c>answered</c>; null when there was no report.</param>
/// <param name="Problems">What went wrong, in words; empty when nothing did.</param>
public sealed record QuestionScore(EvalQuestion Question, IReadOnlyList<string> Cited, bool? Answered, IReadOnlyList<string> Problems);
