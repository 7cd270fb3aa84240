using System.Text.RegularExpressions;

namespace AgentFunctions.Research.Models;

/// <summary>How the offline model reads a reviewer's revision comment: length and focus.</summary>
internal sealed partial record ReviewerStyle(int MaxPoints, int PerSource, IReadOnlySet<string> FocusTerms, string? FocusLabel, string? Note)
{
    private const int DefaultPoints = 4;

    public static ReviewerStyle From(string? feedback)
    {
        if (string.IsNullOrWhiteSpace(feedback))
        {
            return new ReviewerStyle(DefaultPoints, 1, new HashSet<string>(), null, null);
        }

        var points = DefaultPoints;
        var perSource = 1;
        var notes = new List<string>();
        if (Shorter().IsMatch(feedback))
        {
            points = 2;
            notes.Add("shortened to the key points");
        }
        else if (Longer().IsMatch(feedback))
        {
            points = 8;
            perSource = 2;
            notes.Add("expanded with more detail");
        }

        var focusMatch = Focus().Match(feedback);
        string? focusLabel = null;
        var focusTerms = new HashSet<string>();
        if (focusMatch.Success)
        {
            focusLabel = focusMatch.Groups["topic"].Value.Trim().TrimEnd('.', '!', ',');
            focusTerms = OfflineText.Terms(focusLabel);
            notes.Add($"focused on {focusLabel}");
        }

        var note = notes.Count == 0 ? "Revised after review." : $"Revised after review: {string.Join(", ", notes)}.";
        return new ReviewerStyle(points, perSource, focusTerms, focusLabel, note);
    }

    [GeneratedRegex(@"\b(?:shorter|shorten|brief|briefer|concise|less detail|too long|tl;?dr|summari[sz]e)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Shorter();

    [GeneratedRegex(@"\b(?:more detail(?:s|ed)?|longer|expand|elaborate|more depth|in depth|too short|more thorough)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Longer();

    [GeneratedRegex(@"\b(?:focus(?:ing)? (?:more )?on|emphasi[sz]e|more about|concentrate on|cover)\s+(?<topic>[^.;\n]{2,80})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Focus();
}
