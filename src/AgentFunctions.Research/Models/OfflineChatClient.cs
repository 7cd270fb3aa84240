using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentFunctions.Research.Agents;
using AgentFunctions.Research.Guards;
using Microsoft.Extensions.AI;

namespace AgentFunctions.Research.Models;

/// <summary>
/// A deterministic model with no network. It recognizes the calling agent (from
/// <see cref="AgentNames.ChatOptionsKey"/>, else the reply schema's name), reads the question and the
/// delimited sources back out of the prompt, and fulfils the agent's JSON contract with lexical heuristics:
/// keyword decomposition for the planner, term coverage for the validator, extractive synthesis with verbatim
/// quotes, overlap for the support check. It only ever extracts from sources, so instructions inside them are
/// never followed. Usage is counted with the o200k_base tokenizer, and the output cap is honoured by
/// truncating the reply with <see cref="ChatFinishReason.Length"/>, as a real model would.
/// </summary>
public sealed partial class OfflineChatClient : IChatClient
{
    /// <summary>The model id reported in responses.</summary>
    public const string ModelId = "offline-extractive-1";

    /// <summary>Relevance at or above which the validator accepts a source.</summary>
    public const double AcceptThreshold = 0.35;

    /// <summary>Weighted share of the question a source's best passage must address for the validator to accept it.</summary>
    public const double MinPassageSupport = 0.3;

    /// <summary>
    /// Weighted share of the question the best sentence of the accepted sources must address for the report to count
    /// as an answer; below it the report says the sources do not answer the question.
    /// </summary>
    public const double AnswerBar = 0.5;

    /// <summary>A sentence is cited only when it scores at least this fraction of the best candidate sentence.</summary>
    public const double RelativeSentenceBar = 0.6;

    /// <summary>Most sources one report cites (one more when the reviewer asks for more detail).</summary>
    public const int MaxCitedSources = 3;

    /// <summary>A further source is cited only when it is worth at least this fraction of the best source.</summary>
    public const double RelativeSourceBar = 0.6;

    /// <summary>
    /// A candidate source whose vocabulary overlaps the other candidates' less than this fraction of the typical
    /// overlap is taken to be about something else and left uncited.
    /// </summary>
    public const double MinCoherence = 0.75;

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);
    private static readonly ChatClientMetadata s_metadata = new("offline", null, ModelId);

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        var list = messages.ToList();
        var agent = RecognizeAgent(options);

        // The task is the first user message; later ones are repair requests, answered by redoing the task.
        var task = list.FirstOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
        var reply = agent switch
        {
            AgentNames.Planner => Plan(task),
            AgentNames.SourceValidator => Validate(task),
            AgentNames.Synthesizer => Synthesize(task),
            AgentNames.CitationChecker => JudgeSupport(task),
            _ => throw new ModelRequestException(
                ModelRequestFailure.InvalidRequest,
                $"The offline model does not know the agent '{agent ?? "(none)"}'; set ChatOptions.AdditionalProperties[\"{AgentNames.ChatOptionsKey}\"].",
                null),
        };

        var text = JsonSerializer.Serialize(reply, s_json);
        var finish = ChatFinishReason.Stop;
        if (options?.MaxOutputTokens is int cap && OfflineText.EstimateTokens(text.Length) > cap)
        {
            text = text[..Math.Min(text.Length, cap * 4)];
            finish = ChatFinishReason.Length;
        }

        // Usage is counted with the real o200k_base tokenizer, so budgets behave as they would on the live model.
        var inputTokens = list.Sum(m => OfflineText.CountTokens(m.Text));
        var outputTokens = OfflineText.CountTokens(text);
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = ModelId,
            FinishReason = finish,
            CreatedAt = DateTimeOffset.UnixEpoch,
            Usage = new UsageDetails
            {
                InputTokenCount = inputTokens,
                OutputTokenCount = outputTokens,
                TotalTokenCount = inputTokens + outputTokens,
            },
        };
        return Task.FromResult(response);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? s_metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Nothing to release: no connections, no buffers.
    }

    private static string? RecognizeAgent(ChatOptions? options)
    {
        if (options?.AdditionalProperties?.TryGetValue(AgentNames.ChatOptionsKey, out var value) == true && value is string name)
        {
            return name;
        }

        return (options?.ResponseFormat as ChatResponseFormatJson)?.SchemaName switch
        {
            PlannerAgent.SchemaName => AgentNames.Planner,
            SourceValidatorAgent.SchemaName => AgentNames.SourceValidator,
            SynthesizerAgent.SchemaName => AgentNames.Synthesizer,
            CitationCheckerAgent.SchemaName => AgentNames.CitationChecker,
            _ => null,
        };
    }

    private static object Plan(string task)
    {
        var question = PromptSections.Read(task, PromptSections.QuestionTag) ?? task;
        var max = Math.Max(1, PromptSections.ReadNumber(task, PromptSections.MaxSubQueriesLabel) ?? 3);

        // A "word" longer than any search term (a pasted hash, a URL, run-together text) is noise, not a keyword.
        var keywords = OfflineText.Keywords(question).Where(k => k.Length <= PlannerAgent.MaxWordLength).ToList();
        if (keywords.Count == 0)
        {
            return new { subQueries = new[] { new { text = PlannerAgent.ShortenQuery(CitationRules.NormalizeWhitespace(question)), rationale = "The question as asked." } } };
        }

        var queries = new List<(string Text, string Rationale)>
        {
            (string.Join(' ', keywords.Take(8)), "Covers the whole question."),
        };

        // The same question in other words: each keyword followed by its synonyms, so a source that says "bacteria"
        // is found for a question that says "germs". Second in line, so it survives a small sub-query cap.
        var expanded = Expand(keywords.Take(8));
        if (expanded is not null)
        {
            queries.Add((expanded, "Rephrases the question with synonyms and technical terms."));
        }

        // Each facet joined by "and", "or", "vs", commas... gets its own search, anchored on the subject (the
        // question's first two content words) so that "retries and timeouts" searches "<subject> timeouts".
        var subject = keywords.Take(2).ToList();
        foreach (var facet in FacetSplit().Split(question))
        {
            var words = OfflineText.Keywords(facet).Where(k => k.Length <= PlannerAgent.MaxWordLength).ToList();
            if (words.Count == 0 || words.Count == keywords.Count)
            {
                continue;
            }

            var facetWords = words.Where(w => !subject.Contains(w, StringComparer.OrdinalIgnoreCase)).ToList();
            if (facetWords.Count == 0)
            {
                continue;
            }

            var text = string.Join(' ', subject.Concat(facetWords).Take(8));
            queries.Add((text, $"Focuses on the \"{string.Join(' ', facetWords)}\" part of the question."));
        }

        var distinct = new List<(string Text, string Rationale)>();
        var seenTerms = new List<HashSet<string>>();
        foreach (var query in queries)
        {
            var terms = OfflineText.Terms(query.Text);
            if (seenTerms.Any(seen => seen.SetEquals(terms)))
            {
                continue;
            }

            seenTerms.Add(terms);
            distinct.Add((PlannerAgent.ShortenQuery(query.Text), query.Rationale));
        }

        return new { subQueries = distinct.Take(max).Select(q => new { text = q.Text, rationale = q.Rationale }).ToArray() };
    }

    /// <summary>The keywords with up to two synonyms after each; null when none of them has a synonym.</summary>
    private static string? Expand(IEnumerable<string> keywords)
    {
        var words = new List<string>();
        var any = false;
        foreach (var keyword in keywords)
        {
            words.Add(keyword);
            var alternatives = OfflineThesaurus.Alternatives(OfflineText.Stem(keyword.ToLowerInvariant())).Take(2).ToList();
            any |= alternatives.Count > 0;
            words.AddRange(alternatives);
        }

        return any ? string.Join(' ', words.Take(16)) : null;
    }

    private static object Validate(string task)
    {
        var question = PromptSections.Read(task, PromptSections.QuestionTag) ?? string.Empty;
        var source = Datamarking.ReadSources(task).FirstOrDefault();
        if (source is null)
        {
            return new { accepted = false, reason = "No delimited source was found in the prompt.", relevance = 0.0, injectionSuspected = false };
        }

        var screen = PromptInjectionScreen.Screen(source.Content);
        if (screen.Suspected)
        {
            return new { accepted = false, reason = "The source contains instructions aimed at an AI, so it is not trusted.", relevance = 0.0, injectionSuspected = true };
        }

        var sentences = OfflineText.Sentences(source.Content);
        if (sentences.Count == 0)
        {
            return new { accepted = false, reason = "The source has no usable text.", relevance = 0.0, injectionSuspected = false };
        }

        var support = Support.Judge(question, source.Title, sentences);
        var accepted = support.Relevance >= AcceptThreshold && support.Passage >= MinPassageSupport;
        var reason = accepted
            ? $"Supports the question: a passage covers {support.PassageMatched.Count} of {support.Wanted} of its key concepts ({string.Join(", ", support.PassageMatched.Take(5))})."
            : support.Matched.Count == 0
                ? "Off topic: shares no key concepts with the question."
                : $"Weakly related: no passage addresses the question; the text touches {support.Matched.Count} of {support.Wanted} key concepts ({string.Join(", ", support.Matched.Take(5))}).";
        return new { accepted, reason, relevance = support.Relevance, injectionSuspected = false };
    }

    private static object Synthesize(string task)
    {
        var question = PromptSections.Read(task, PromptSections.QuestionTag) ?? string.Empty;
        var feedback = PromptSections.Read(task, PromptSections.FeedbackTag);
        var findings = PromptSections.Read(task, PromptSections.FindingsTag);
        var sources = Datamarking.ReadSources(task);
        var style = ReviewerStyle.From(feedback);
        var wanted = OfflineText.Concepts(question);
        wanted.UnionWith(style.FocusTerms.Select(OfflineThesaurus.Concept));

        // Quotes a previous draft got wrong are avoided rather than repeated.
        var rejectedQuotes = findings is null ? [] : QuotedText().Matches(findings).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        // A question concept every source shares (the topic word) says little about which source answers the question;
        // a concept few sources share points at the ones that do. Weights come from the sources in the prompt alone.
        var sourceTerms = sources.Select(s => OfflineText.Concepts(s.Title + "\n" + s.Content)).ToList();
        var weights = OfflineText.RarityWeights(wanted, sourceTerms);
        var questionWeights = Support.Weights(question);
        var focus = new HashSet<string>(style.FocusTerms.Select(OfflineThesaurus.Concept));

        var candidates = new List<(int SourceIndex, int Position, string Sentence, double Score)>();
        var bestSupport = 0.0;
        for (var i = 0; i < sources.Count; i++)
        {
            var sentences = OfflineText.Sentences(sources[i].Content);
            bestSupport = Math.Max(bestSupport, Support.Judge(question, sources[i].Title, sentences).Passage);
            for (var p = 0; p < sentences.Count; p++)
            {
                var sentence = sentences[p];
                if (sentence.Length is < 30 or > 400 || !char.IsLetterOrDigit(sentence[^1]) && !".!?)\"'".Contains(sentence[^1], StringComparison.Ordinal)
                    || PromptInjectionScreen.Screen(sentence).Suspected || rejectedQuotes.Any(q => sentence.StartsWith(q.TrimEnd('.'), StringComparison.Ordinal)))
                {
                    continue;
                }

                var terms = OfflineText.Concepts(sentence);
                var score = OfflineText.WeightedCoverage(weights, terms) + (focus.Count > 0 ? 2 * OfflineText.Coverage(focus, terms) : 0);
                score += 0.05 / (p + 1); // earlier sentences tend to state the point
                if (score > 0.05)
                {
                    candidates.Add((i, p, sentence, score));
                }
            }
        }

        var subject = CitationRules.NormalizeWhitespace(question).TrimEnd('?', '.', '!');
        var title = style.FocusLabel is null ? $"Research report: {subject}" : $"Research report: {subject} (focus: {style.FocusLabel})";

        // Honest gaps: when no single sentence of any accepted source addresses enough of what is asked, the sources
        // are about something nearby, not an answer. Say so, and say what was found instead, rather than stitching
        // loosely related sentences into a confident report.
        var unnamed = Support.Names(question).Where(name => !sourceTerms.Any(t => t.Contains(name))).ToList();
        if (candidates.Count == 0 || bestSupport < AnswerBar || unnamed.Count > 0)
        {
            var nearest = sources
                .Select((s, i) => (Source: s, Merit: OfflineText.WeightedCoverage(questionWeights, sourceTerms[i])))
                .OrderByDescending(x => x.Merit).ThenBy(x => x.Source.Id, StringComparer.Ordinal)
                .Take(3)
                .Select(x => $"\"{x.Source.Title}\"")
                .ToList();
            return new
            {
                title,
                summary = "The accepted sources do not answer this question. " + (nearest.Count == 0
                    ? "No source addressed it."
                    : $"The closest they come is {string.Join(", ", nearest)}, which discuss related matters but not what is asked."),
                citations = Array.Empty<object>(),
                conflicts = Array.Empty<object>(),
                answered = false,
            };
        }

        var chosen = ChooseSources(candidates, sourceTerms, [.. sources.Select(x => OfflineText.Concepts(x.Title))], weights, style);
        candidates.RemoveAll(c => !chosen.Contains(c.SourceIndex));

        // Only sentences close to the best one make the report: a weakly matching sentence from a loosely related
        // source dilutes the answer and its citations more than it adds. A reviewer asking for more detail
        // (two points per source) gets the weaker sentences too.
        if (style.PerSource == 1 && candidates.Count > 0)
        {
            var best = candidates.Max(c => c.Score);
            candidates.RemoveAll(c => c.Score < RelativeSentenceBar * best);
        }

        // Best sentences first, at most perSource from each source, then back into reading order.
        var picked = candidates
            .OrderByDescending(c => c.Score).ThenBy(c => c.SourceIndex).ThenBy(c => c.Position)
            .GroupBy(c => c.SourceIndex).SelectMany(g => g.Take(style.PerSource))
            .OrderByDescending(c => c.Score).ThenBy(c => c.SourceIndex).ThenBy(c => c.Position)
            .Take(style.MaxPoints)
            .OrderBy(c => c.SourceIndex).ThenBy(c => c.Position)
            .ToList();

        var parts = new List<string>();
        if (style.Note is not null)
        {
            parts.Add(style.Note);
        }

        var citations = new List<object>();
        for (var n = 1; n <= picked.Count; n++)
        {
            var sentence = picked[n - 1].Sentence;
            parts.Add($"{sentence} [{n}]");
            citations.Add(new { n, sourceId = sources[picked[n - 1].SourceIndex].Id, quote = sentence });
        }

        // Conflicts: a cited source that disagrees with another cited source is disclosed, never silently merged.
        var conflicts = FindConflicts(sources, picked.Select(p => p.SourceIndex).Distinct().ToList());
        foreach (var conflict in conflicts)
        {
            var markers = conflict.Sides.Select(side => picked.FindIndex(p => p.SourceIndex == side.SourceIndex) + 1).ToList();
            parts.Add($"The sources disagree on {conflict.Claim} [{markers[0]}] [{markers[1]}].");
        }

        return new
        {
            title,
            summary = string.Join(' ', parts),
            citations,
            conflicts = conflicts.Select(c => new
            {
                claim = c.Claim,
                sources = c.Sides.Select(side => new { sourceId = sources[side.SourceIndex].Id, says = side.Sentence }).ToArray(),
            }).ToArray(),
            answered = true,
        };
    }

    /// <summary>Pairs of cited sources with sentences that disagree (<see cref="OfflineConflicts"/>), one entry per pair.</summary>
    private static List<(string Claim, (int SourceIndex, string Sentence)[] Sides)> FindConflicts(IReadOnlyList<DelimitedSource> sources, List<int> cited)
    {
        var conflicts = new List<(string, (int, string)[])>();
        var sentences = cited.ToDictionary(i => i, i => OfflineText.Sentences(sources[i].Content).Where(s => s.Length >= 30 && !PromptInjectionScreen.Screen(s).Suspected).ToList());
        for (var a = 0; a < cited.Count; a++)
        {
            for (var b = a + 1; b < cited.Count; b++)
            {
                var found = false;
                foreach (var first in sentences[cited[a]])
                {
                    foreach (var second in sentences[cited[b]])
                    {
                        if (OfflineConflicts.Disagree(first, second, out var claim))
                        {
                            conflicts.Add((claim, [(cited[a], first), (cited[b], second)]));
                            found = true;
                            break;
                        }
                    }

                    if (found)
                    {
                        break;
                    }
                }
            }
        }

        return conflicts;
    }

    /// <summary>
    /// Picks the sources worth citing. A source's merit averages three rarity-weighted coverages of the question:
    /// by its best sentence (is there a passage that answers it?), by its whole text (is it about the question?)
    /// and by its title (is that its subject, or a passing mention?). The best source is cited, and any other whose
    /// merit reaches <see cref="RelativeSourceBar"/> of the best, at most <see cref="MaxCitedSources"/> (one more
    /// when the reviewer asks for more detail): a second-rate source adds citations faster than it adds answer.
    /// </summary>
    private static HashSet<int> ChooseSources(
        List<(int SourceIndex, int Position, string Sentence, double Score)> candidates,
        List<HashSet<string>> bodyTerms,
        List<HashSet<string>> titleTerms,
        IReadOnlyDictionary<string, double> weights,
        ReviewerStyle style)
    {
        var merit = candidates
            .GroupBy(c => c.SourceIndex)
            .ToDictionary(
                g => g.Key,
                g => (g.Max(c => c.Score) + OfflineText.WeightedCoverage(weights, bodyTerms[g.Key]) + OfflineText.WeightedCoverage(weights, titleTerms[g.Key])) / 3);
        if (merit.Count == 0)
        {
            return [];
        }

        // A source that shares the question's words but little of the other sources' vocabulary is about something
        // else that happens to use the same words (fabric "bleaching", a laptop's "memory"): with three or more
        // candidates, one far less coherent with the rest than they are with each other is left out.
        if (merit.Count >= 3)
        {
            var coherence = merit.Keys.ToDictionary(i => i, i => merit.Keys.Where(j => j != i).Average(j => Overlap(bodyTerms[i], bodyTerms[j])));
            var typical = coherence.Values.Order().ElementAt(coherence.Count / 2);
            foreach (var outlier in coherence.Where(c => c.Value < MinCoherence * typical).Select(c => c.Key).ToList())
            {
                merit.Remove(outlier);
            }
        }

        var limit = style.PerSource == 1 ? MaxCitedSources : MaxCitedSources + 1;
        var best = merit.Values.Max();
        return [.. merit
            .Where(m => m.Value >= RelativeSourceBar * best)
            .OrderByDescending(m => m.Value).ThenBy(m => m.Key)
            .Take(limit)
            .Select(m => m.Key)];
    }

    private static double Overlap(HashSet<string> a, HashSet<string> b) =>
        a.Count == 0 || b.Count == 0 ? 0 : a.Count(b.Contains) / Math.Sqrt((double)a.Count * b.Count);

    private static object JudgeSupport(string task)
    {
        var judgements = new List<object>();
        foreach (var block in Datamarking.ReadSources(task))
        {
            if (!int.TryParse(block.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                continue;
            }

            var separator = block.Content.IndexOf(CitationCheckerAgent.QuoteSeparator, StringComparison.Ordinal);
            var claim = separator < 0 ? block.Content : block.Content[..separator];
            var quote = separator < 0 ? string.Empty : block.Content[(separator + CitationCheckerAgent.QuoteSeparator.Length)..];
            if (claim.StartsWith(CitationCheckerAgent.ClaimPrefix, StringComparison.Ordinal))
            {
                claim = claim[CitationCheckerAgent.ClaimPrefix.Length..];
            }

            var overlap = OfflineText.Coverage(OfflineText.Terms(claim), OfflineText.Terms(quote));
            var supported = overlap >= 0.3;
            judgements.Add(new
            {
                n,
                supported,
                problem = supported ? string.Empty : $"The quote shares only {overlap:P0} of the claim's key terms.",
            });
        }

        return new { judgements };
    }

    [GeneratedRegex(@"\s*(?:,|;|\band\b|\bor\b|\bvs\.?|\bversus\b|\bcompared (?:to|with)\b)\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FacetSplit();

    [GeneratedRegex("\"([^\"]{10,})(?:\\.\\.\\.)?\"", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedText();
}
