using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AgentFunctions.Research.Guards;

/// <summary>
/// A deterministic screen for text that tries to instruct a model: instruction overrides, role reassignment,
/// chat-role tags, approval manipulation, requests to reveal prompts or secrets, exfiltration URLs, hidden
/// comments, invisible or bidirectional control characters and encoded blobs.
/// </summary>
/// <remarks>
/// Patterns are phrased as imperatives addressed to an assistant, not as topics, so prose that merely talks
/// about prompts, keys or approvals (a tutorial on API keys, a page about pull-request approvals) passes.
/// The screen is one layer: prompts still delimit retrieved text and the orchestrator alone makes decisions.
/// </remarks>
public static partial class PromptInjectionScreen
{
    private const int EvidenceLength = 60;
    // A safety net against text crafted to make a pattern backtrack (fail closed), generous enough that CPU
    // starvation on a busy host does not pass for an attack.
    private const int MatchTimeoutMs = 2000;
    private const int CacheCapacity = 4096;

    // Verdicts by content hash: the same document is screened once per process, and its verdict is the same
    // for every run that retrieves it.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, InjectionScreenResult> Verdicts = new(StringComparer.Ordinal);

    /// <summary>Screens one text.</summary>
    /// <param name="text">Untrusted text, e.g. a retrieved document.</param>
    public static InjectionScreenResult Screen(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return InjectionScreenResult.Clean;
        }

        var key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
        if (Verdicts.TryGetValue(key, out var known))
        {
            return known;
        }

        var verdict = ScreenUncached(text);
        if (Verdicts.Count >= CacheCapacity)
        {
            Verdicts.Clear();
        }

        Verdicts[key] = verdict;
        return verdict;
    }

    private static InjectionScreenResult ScreenUncached(string text)
    {

        var signals = new List<string>();
        var invisible = CountInvisibleCharacters(text);
        if (invisible > 0)
        {
            signals.Add($"invisible-characters: {invisible} zero-width or bidirectional control character(s)");
        }

        // Hidden comments are looked for in the raw text; phrases are matched on a normalized copy so that
        // full-width letters, zero-width joiners inside words and line breaks cannot split a phrase.
        AddMatch(signals, "hidden-comment", HiddenComment(), text);
        AddMatch(signals, "hidden-element", HiddenElement(), text);
        var normalized = Normalize(text);
        var lines = Normalize(text, keepLineBreaks: true);
        AddInstruction(signals, "instruction-override", InstructionOverride(), lines);
        AddInstruction(signals, "role-reassignment", RoleReassignment(), lines);
        AddMatch(signals, "role-tag", RoleTag(), lines);
        AddMatch(signals, "chat-control-token", ChatControlToken(), normalized);
        AddInstruction(signals, "approval-manipulation", ApprovalManipulation(), lines);
        AddInstruction(signals, "prompt-or-secret-request", SecretRequest(), lines);
        AddInstruction(signals, "exfiltration-url", ExfiltrationUrl(), lines);
        AddEncodedBlob(signals, text);
        return signals.Count == 0 ? InjectionScreenResult.Clean : new InjectionScreenResult(true, signals);
    }

    private static void AddMatch(List<string> signals, string kind, Regex pattern, string text)
    {
        try
        {
            var match = pattern.Match(text);
            if (match.Success)
            {
                signals.Add($"{kind}: \"{Evidence(match.Value)}\"");
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // Text crafted to make a pattern backtrack is itself suspicious; fail closed.
            signals.Add($"{kind}: pattern timed out on adversarial text");
        }
    }

    /// <summary>
    /// Adds the first match of an instruction-shaped phrase that is addressed to the reader, skipping matches that
    /// are quoted or described: an article on prompt injection that says a sentence "such as 'ignore your previous
    /// instructions'" is discussing an attack, not making one. Hidden text, role tags, control tokens and encoded
    /// blobs are never discounted this way (see the callers).
    /// </summary>
    private static void AddInstruction(List<string> signals, string kind, Regex pattern, string text)
    {
        try
        {
            foreach (Match match in pattern.Matches(text))
            {
                if (!IsQuotedOrDescribed(text, match))
                {
                    signals.Add($"{kind}: \"{Evidence(match.Value)}\"");
                    return;
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            signals.Add($"{kind}: pattern timed out on adversarial text");
        }
    }

    /// <summary>
    /// Whether a match sits in a sentence that talks about the phrase rather than says it: inside quotation marks
    /// within a sentence that has prose of its own around the quote, or after describing words ("such as", "for
    /// example", "try to", "can be told to") in a sentence that addresses no one (no "you", no "assistant:").
    /// A quote standing alone as its own sentence is an instruction like any other.
    /// </summary>
    internal static bool IsQuotedOrDescribed(string text, Match match)
    {
        var start = SentenceStart(text, match.Index);
        var end = SentenceEnd(text, match.Index + match.Length);
        var sentence = text[start..end];
        var offset = match.Index - start;
        if (Vocative().IsMatch(QuotedSpan().Replace(sentence, " ")))
        {
            return false;
        }

        var before = sentence[..offset];
        var straight = before.Count(c => c == '"');
        var insideQuotes = straight % 2 == 1 || before.LastIndexOf('\u201C') > before.LastIndexOf('\u201D');
        if (insideQuotes)
        {
            var outside = QuotedSpan().Replace(sentence, " ");
            return WordRun().Matches(outside).Count >= 4;
        }

        return Describing().IsMatch(before);
    }

    private static int SentenceStart(string text, int index)
    {
        for (var i = index - 1; i > 0; i--)
        {
            if (text[i] == '\n' || (text[i] == ' ' && ".!?".Contains(text[i - 1], StringComparison.Ordinal) && !IsInsideUrl(text, i - 1)))
            {
                return i + 1;
            }
        }

        return 0;
    }

    private static int SentenceEnd(string text, int index)
    {
        for (var i = index; i < text.Length; i++)
        {
            if (text[i] == '\n' || (".!?".Contains(text[i], StringComparison.Ordinal) && (i + 1 == text.Length || text[i + 1] == ' ')))
            {
                return i;
            }
        }

        return text.Length;
    }

    private static bool IsInsideUrl(string text, int index)
    {
        var space = text.LastIndexOf(' ', index);
        return text.AsSpan(space + 1, index - space).Contains("://", StringComparison.Ordinal);
    }

    private static void AddEncodedBlob(List<string> signals, string text)
    {
        try
        {
            AddEncodedBlobCore(signals, text);
        }
        catch (RegexMatchTimeoutException)
        {
            // Matches are enumerated lazily, so the timeout surfaces here; fail closed like the other patterns.
            signals.Add("base64-blob: pattern timed out on adversarial text");
        }
    }

    private static void AddEncodedBlobCore(List<string> signals, string text)
    {
        foreach (Match match in Base64Run().Matches(text))
        {
            var run = match.Value;
            if (!(run.Any(char.IsUpper) && run.Any(char.IsLower) && run.Any(char.IsDigit)))
            {
                continue; // hex digests and plain identifiers are not base64 payloads
            }

            if (run.Length >= 200 || DecodesToProse(run))
            {
                signals.Add($"base64-blob: {run.Length} characters starting \"{Evidence(run[..Math.Min(24, run.Length)])}\"");
                return;
            }
        }
    }

    /// <summary>True when a base64 run decodes to readable words, i.e. it hides text from a human reader.</summary>
    private static bool DecodesToProse(string run)
    {
        var trimmed = run.TrimEnd('=');
        var padded = trimmed + new string('=', (4 - (trimmed.Length % 4)) % 4);
        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(padded.Length)];
        if (!Convert.TryFromBase64String(padded, bytes, out var written) || written == 0)
        {
            return false;
        }

        var printable = 0;
        var spaces = 0;
        for (var i = 0; i < written; i++)
        {
            var b = bytes[i];
            if (b is >= 0x20 and < 0x7F or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                printable++;
            }

            if (b == (byte)' ')
            {
                spaces++;
            }
        }

        return printable >= written * 0.9 && spaces >= 3;
    }

    internal static int CountInvisibleCharacters(string text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var suspicious = c switch
            {
                '\u200B' or '\u200C' or '\u200E' or '\u200F' => true,
                >= '\u202A' and <= '\u202E' => true,
                >= '\u2060' and <= '\u2064' => true,
                >= '\u2066' and <= '\u2069' => true,
                '\uFEFF' => i > 0, // a leading byte-order mark is an encoding artefact, not a hiding place
                '\u200D' => !IsEmojiJoin(text, i), // zero-width joiners legitimately glue emoji sequences
                _ => false,
            };

            // Unicode "tag" characters (U+E0000..U+E007F) render as nothing and can spell hidden ASCII.
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var codePoint = char.ConvertToUtf32(c, text[i + 1]);
                suspicious = codePoint is >= 0xE0000 and <= 0xE007F;
                i++;
            }

            if (suspicious)
            {
                count++;
            }
        }

        return count;
    }

    private static bool IsEmojiJoin(string text, int index) =>
        index > 0 && index + 1 < text.Length
        && (char.IsLowSurrogate(text[index - 1]) || text[index - 1] == '\uFE0F')
        && char.IsHighSurrogate(text[index + 1]);

    private static string Normalize(string text, bool keepLineBreaks = false)
    {
        var folded = text.Normalize(NormalizationForm.FormKC);
        var builder = new StringBuilder(folded.Length);
        var lastWasSpace = false;
        foreach (var c in folded)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                continue; // zero-width and bidi controls must not split a phrase
            }

            if (char.IsWhiteSpace(c) && !(keepLineBreaks && c == '\n'))
            {
                if (!lastWasSpace)
                {
                    builder.Append(' ');
                }

                lastWasSpace = true;
                continue;
            }

            builder.Append(c);
            lastWasSpace = false;
        }

        return builder.ToString();
    }

    private static string Evidence(string value)
    {
        var flat = string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= EvidenceLength ? flat : flat[..EvidenceLength] + "...";
    }

    [GeneratedRegex(
        @"(?<!\b(?:never|not|n't|don't|cannot|can't)\s)\b(?:ignore|disregard|forget|override|bypass|skip)\b(?:\s+\S+){0,3}?\s+(?:previous|prior|above|earlier|preceding|all|any|your|the|system|original)\s+(?:\S+\s+){0,2}?(?:instructions?|prompts?|rules|directions|directives|guidelines|guardrails|constraints)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeoutMs)]
    private static partial Regex InstructionOverride();

    [GeneratedRegex(
        @"\byou are (?:now|no longer)\s+(?:a|an|my|the|in|DAN|no)\b(?!\s+(?:ready|able|done|set|connected|logged|signed|finished|running|working|directory|folder|project|repository)\b)|\bfrom now on,?\s+(?:you|act|respond|answer|reply)\b|\bpretend (?:to be|you are|that you)\b|\b(?:new|updated|real) (?:system )?instructions?\s*:|\bact as (?:an? )?(?:unrestricted|jailbroken|unfiltered|different) (?:ai|assistant|model)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeoutMs)]
    private static partial Regex RoleReassignment();

    [GeneratedRegex(
        @"^[ \t>#*]*(?:system|assistant|developer)\s*:(?=[^\n]*\b(?:you|your|ignore|must|always|never|respond|reply|answer|approve|accept|output|print)\b)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Multiline, MatchTimeoutMs)]
    private static partial Regex RoleTag();

    [GeneratedRegex(
        @"<\|(?:im_start|im_end|system|assistant|user|endoftext)\|>|\[/?INST\]|<</?SYS>>|</?(?:system|assistant)>|#{2,}\s*(?:system|instruction)s?\b\s*:?",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeoutMs)]
    private static partial Regex ChatControlToken();

    [GeneratedRegex(
        @"\b(?:approve|accept|whitelist|trust)\s+(?:this|the following)\s+(?:source|document|article|page|content|text|report|site)\b|\b(?:rate|score|mark|classify|label)\s+(?:this|the following)\s+(?:source|document|article|page|content|text)\s+as\b|\b(?:set|give|assign)\s+(?:the\s+)?relevance\s+(?:score\s+)?(?:to|of)\s+(?:1(?:\.0+)?|100|max(?:imum)?)\b|\b(?:ai|llm|language model|assistant|validator|grader|reviewer)s?\s*(?:,|:|must|should)\s*(?:\S+\s+){0,4}?(?:approve|accept|rank)\b|\b(?:note|message|notice|instructions?)\s+(?:to|for)\s+(?:\S+\s+){0,2}?(?:assistants?|ais|llms?|language models?|agents?|bots?)\s*[:,]|\bskip\s+(?:any|the|all|every)\s+(?:\S+\s+)?(?:reviews?|reviewers?|approvals?)(?:\s+steps?)?\b|\b(?:set|mark)\s+(?:the\s+)?(?:outcome|decision|status|verdict|run)\s+(?:to|as)\s+(?:approved|accepted)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeoutMs)]
    private static partial Regex ApprovalManipulation();

    [GeneratedRegex(
        @"(?<!\b(?:never|not|n't|don't)\s)\b(?:reveal|print|output|repeat|disclose|leak|dump|show me|tell me|append|attach|include)\s+(?:me\s+)?(?:your|their|its|the)\s+(?:full\s+(?:text\s+of\s+(?:your|their|its|the)\s+)?|entire\s+|original\s+|hidden\s+|initial\s+)?(?:system\s+prompt|prompt|instructions|system\s+message)\b|(?<!\b(?:never|not|n't|don't)\s)\b(?:send|reveal|disclose|leak|share|include|output|print)\b(?:\s+\S+){0,5}?\s+(?:your|their|any|the (?:model's|assistant's|agent's|server's))\s+(?:api[ _-]?keys?|secrets?|credentials|access tokens?|environment variables|passwords?)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeoutMs)]
    private static partial Regex SecretRequest();

    [GeneratedRegex(
        @"!\[[^\]]{0,200}\]\(\s*https?://[^\s)]+\?[^\s)]*=[^\s)]*\)|https?://[^\s""'<>)]+\?[^\s""'<>)]*=(?:\{|%7B|\[|%5B|<|%3C|\$)|https?://[^\s""'<>)]+\?[^\s""'<>)]*=[A-Za-z0-9+/_%-]{48,}|https?://[^\s""'<>)]+\?(?:[^\s""'<>)=&]+=[^\s""'<>)&]*&)*[^\s""'<>)=&]+=(?=[\s,;)]|\.(?:\s|$)|$)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeoutMs)]
    private static partial Regex ExfiltrationUrl();

    [GeneratedRegex(
        @"<!--(?:(?!-->).){0,2000}?\b(?:ignore|instructions?|assistant|system prompt|prompt|approve|you must|you are)\b(?:(?!-->).){0,2000}?-->|^\s*\[//\]:\s*#\s*\((?=[^)\n]*\b(?:ignore|instructions?|assistant|prompt|approve|you must)\b)[^)\n]*\)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.Multiline, MatchTimeoutMs)]
    private static partial Regex HiddenComment();

    [GeneratedRegex(
        @"<[a-z][^>]{0,200}style\s*=\s*[""'][^""']{0,200}(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px)?\b|opacity\s*:\s*0(?:\.0+)?\b)[^>]{0,200}>",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeoutMs)]
    private static partial Regex HiddenElement();

    [GeneratedRegex(@"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{64,}={0,2}", RegexOptions.CultureInvariant, MatchTimeoutMs)]
    private static partial Regex Base64Run();

    [GeneratedRegex(
        @"\b(?:you|your|yourself)\b|^\W*(?:(?:dear|attention|hey)\s+)?(?:the\s+)?(?:assistants?|ais?|llms?|models?|validators?|reviewers?|graders?|agents?|bots?)\s*[:,]|\b(?:note|message|notice|instructions?)\s+(?:to|for)\s+(?:\S+\s+){0,2}?(?:assistants?|ais|llms?|models?|agents?|bots?)\b|\bassistants?\s+(?:\S+\s+){0,3}?(?:are|is)\s+(?:required|asked|instructed|expected)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeoutMs)]
    private static partial Regex Vocative();

    [GeneratedRegex(
        @"\b(?:such as|for example|for instance|e\.g\.|phrases? like|sentences? like|payloads? like|(?:try|tries|trying|attempts?|attempting) to|(?:can|could|may|might) be (?:told|asked|instructed|tricked) to|is (?:told|asked|instructed|tricked) to)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeoutMs)]
    private static partial Regex Describing();

    [GeneratedRegex("\"[^\"]*\"|\u201C[^\u201D]*\u201D", RegexOptions.CultureInvariant, MatchTimeoutMs)]
    private static partial Regex QuotedSpan();

    [GeneratedRegex(@"[\p{L}\p{N}]{2,}", RegexOptions.CultureInvariant, MatchTimeoutMs)]
    private static partial Regex WordRun();
}
