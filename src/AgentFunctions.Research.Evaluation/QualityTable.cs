using System.Globalization;
using System.Text;

namespace AgentFunctions.Research.Evaluation;

/// <summary>Prints question sets' figures side by side, one column per set.</summary>
public static class QualityTable
{
    /// <summary>The table as plain text (Markdown-compatible).</summary>
    /// <param name="columns">Each set's name and figures, in column order.</param>
    public static string Format(IReadOnlyList<(string Name, QualityScore Score)> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var rows = new List<(string Label, Func<QualityScore, string> Cell)>
        {
            ("questions", s => I($"{s.Questions}")),
            ("citation precision", s => I($"{s.Precision:F3} ({s.CitedRelevant}/{s.Cited})")),
            ("citation recall", s => I($"{s.Recall:F3} ({s.RelevantCited}/{s.Relevant})")),
            ("must-not-cite citations", s => I($"{s.MustNotCite}")),
            ("reports with injected text", s => I($"{s.InjectedText}")),
            ("unanswerable answered honestly", s => I($"{s.UnanswerableHonest}/{s.Unanswerable}")),
            ("answerable declined", s => I($"{s.AnswerableDeclined}")),
            ("conflicts disclosed (both sides cited)", s => I($"{s.ConflictsDisclosed}/{s.ConflictsDue}")),
            ("spurious conflicts", s => I($"{s.ConflictsSpurious}")),
            ("runs without a report", s => I($"{s.NotCompleted}")),
        };
        var width = rows.Max(r => r.Label.Length);
        var cells = columns.Select(c => rows.Select(r => r.Cell(c.Score)).ToList()).ToList();
        var columnWidths = columns.Select((c, i) => Math.Max(c.Name.Length, cells[i].Max(x => x.Length))).ToList();
        var builder = new StringBuilder();
        builder.Append("| ").Append("figure".PadRight(width));
        for (var i = 0; i < columns.Count; i++)
        {
            builder.Append(" | ").Append(columns[i].Name.PadRight(columnWidths[i]));
        }

        builder.Append(" |\n|").Append(new string('-', width + 2));
        foreach (var w in columnWidths)
        {
            builder.Append('|').Append(new string('-', w + 2));
        }

        builder.Append("|\n");
        for (var r = 0; r < rows.Count; r++)
        {
            builder.Append("| ").Append(rows[r].Label.PadRight(width));
            for (var i = 0; i < columns.Count; i++)
            {
                builder.Append(" | ").Append(cells[i][r].PadRight(columnWidths[i]));
            }

            builder.Append(" |\n");
        }

        return builder.ToString();
    }

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
