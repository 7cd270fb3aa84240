using System.Text.RegularExpressions;

namespace AgentFunctions.Research.Agents;

/// <summary>
/// The tagged sections agent prompts are made of. Providers that read prompts back (the offline model) use
/// the same readers, so the prompt format has exactly one definition.
/// </summary>
internal static partial class PromptSections
{
    public const string QuestionTag = "question";
    public const string FeedbackTag = "reviewer_feedback";
    public const string FindingsTag = "previous_findings";
    public const string MaxSubQueriesLabel = "Maximum sub-queries:";

    /// <summary>Wraps text in a tag, defusing any closing tag inside it.</summary>
    public static string Tagged(string tag, string text) =>
        $"<{tag}>\n{text.Replace($"</{tag}>", $"</ {tag}>", StringComparison.OrdinalIgnoreCase)}\n</{tag}>";

    /// <summary>The text of the first <paramref name="tag"/> section, or null.</summary>
    public static string? Read(string prompt, string tag)
    {
        var open = $"<{tag}>\n";
        var start = prompt.IndexOf(open, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += open.Length;
        var end = prompt.IndexOf($"\n</{tag}>", start, StringComparison.Ordinal);
        return end < 0 ? null : prompt[start..end];
    }

    /// <summary>The number after <paramref name="label"/>, or null.</summary>
    public static int? ReadNumber(string prompt, string label)
    {
        var match = LabelledNumber().Match(prompt);
        while (match.Success)
        {
            if (match.Groups["label"].Value == label.TrimEnd(':'))
            {
                return int.Parse(match.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            match = match.NextMatch();
        }

        return null;
    }

    [GeneratedRegex(@"^(?<label>[A-Za-z -]+):\s*(?<n>\d{1,4})\s*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex LabelledNumber();
}
