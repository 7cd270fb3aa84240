using Microsoft.DurableTask;
using AgentFunctions.Research.Activities;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Models;
using AgentFunctions.Research.Publishing;
using AgentFunctions.Research.Review;
using AgentFunctions.Research.Search;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Research.Orchestration;

/// <summary>
/// One research question, end to end: plan, search (fan-out), fuse the rankings (reciprocal rank fusion) and cap, validate (fan-out),
/// synthesize, check citations (with bounded redrafts), optionally wait for a reviewer (with revisions), publish.
/// </summary>
/// <remarks>
/// <para>Decisions come only from typed values: verdicts, citation checks, usage figures and the reviewer's event.
/// Retrieved text flows through to the agents and into the report's quotes, never into a branch here.</para>
/// <para>Budget: before scheduling model work the run estimates the step (prompt text at four characters per token,
/// plus a fixed prompt overhead, plus the full output cap per call); if spent plus estimate would pass the budget it
/// schedules no more model work and ends <see cref="ResearchOutcome.BudgetExceeded"/>, returning the last draft
/// that passed the citation check (null if none did). Nothing is published in that case.</para>
/// <para>Reviews: each draft waits <see cref="RunSettings.ApprovalTimeout"/> for a decision. A <c>revise</c> past
/// <see cref="RunSettings.MaxRevisions"/> is declined (noted in the status) and the wait goes on with the same
/// deadline: the reviewer must then approve or reject, the run never decides for them. A decision value other than
/// approve/reject/revise is ignored the same way.</para>
/// <para>Citation check still failing after <see cref="RunSettings.MaxCitationRounds"/> redrafts: the last draft goes
/// on (to the reviewer, or published when no review is asked) with the findings in the status as
/// <c>citationProblems</c>; the synthesizer's own validation already enforces the hard rules, so this happens only
/// when the optional model support check disagrees.</para>
/// <para>Publishing (Approved, NotReviewed): the result is stored first, then POSTed to the callback URL with a durable
/// retry; a callback that still fails is logged and noted in the final status, the run still completes with its
/// report stored. Rejected, TimedOut and BudgetExceeded runs store nothing but still call back, so the submitter
/// learns the outcome.</para>
/// </remarks>
public sealed class ResearchOrchestrator : TaskOrchestrator<ResearchRequest, ResearchResult>
{
    /// <inheritdoc />
    public override async Task<ResearchResult> RunAsync(TaskOrchestrationContext context, ResearchRequest input)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = await context.CallActivityAsync<RunSettings>(nameof(LoadRunSettingsActivity), new LoadRunSettingsInput(input));
        return await new Run(context, settings).ExecuteAsync();
    }

    /// <summary>The state of one execution; rebuilt identically on every replay from the same history.</summary>
    private sealed class Run(TaskOrchestrationContext context, RunSettings settings)
    {
        private readonly ILogger _logger = context.CreateReplaySafeLogger<ResearchOrchestrator>();
        private readonly TaskOptions _modelRetry = settings.ModelRetry.ToTaskOptions(f => f.IsCausedBy<ModelUnavailableException>());
        private readonly TaskOptions _callbackRetry = settings.CallbackRetry.ToTaskOptions(f => f.IsCausedBy<CallbackDeliveryException>());
        private readonly TaskOptions _storeRetry = settings.CallbackRetry.ToTaskOptions(f => !f.IsCausedBy<NonRetryableException>());
        private readonly List<string> _searchFailures = [];
        private readonly List<ReviewDecision> _revisionRequests = [];
        private Usage _usage = Usage.None;
        private int _subQueries;
        private SourceCounts _counts = SourceCounts.None;
        private List<SourceSummary> _sources = [];
        private IReadOnlyList<CitationFinding> _citationProblems = [];
        private int _citationRound;
        private int _revisions;
        private ResearchReport? _lastCheckedDraft;
        private string? _budgetNote;

        public async Task<ResearchResult> ExecuteAsync()
        {
            // Planning
            SetStatus(ResearchPhase.Planning);
            var planEstimate = settings.Estimates.PromptOverhead + TokenEstimates.ForText(settings.Question.Length) + settings.Estimates.PlannerOutput;
            if (!Affordable(planEstimate, "planning"))
            {
                return await EndAsync(ResearchOutcome.BudgetExceeded, null, null, BudgetNote("planning", planEstimate));
            }

            var plan = await context.CallActivityAsync<PlanResearchOutput>(
                nameof(PlanResearchActivity), new PlanResearchInput(settings.Question, settings.MaxSubQueries), _modelRetry);
            _usage += plan.Usage;
            var subQueries = plan.Plan.SubQueries.Take(settings.MaxSubQueries).ToList();
            _subQueries = subQueries.Count;

            // Searching: one activity per sub-query; a failed search is recorded and the others carry the run.
            SetStatus(ResearchPhase.Searching);
            var hitLists = await Task.WhenAll(subQueries.Select(SearchAsync));
            var distinct = RankFusion.Fuse(hitLists);
            var candidates = distinct.Take(settings.MaxSources).ToList();
            _counts = _counts with { Found = distinct.Count };

            // Validating: one activity per source; the injection screen inside rejects hostile text without the model.
            SetStatus(ResearchPhase.Validating);
            var validationEstimate = candidates.Sum(c =>
                settings.Estimates.PromptOverhead + TokenEstimates.ForText(settings.Question.Length + c.Title.Length + c.Content.Length) + settings.Estimates.ValidatorOutput);
            if (!Affordable(validationEstimate, "validation"))
            {
                return await EndAsync(ResearchOutcome.BudgetExceeded, null, null, BudgetNote("validating the sources", validationEstimate));
            }

            var outputs = await Task.WhenAll(candidates.Select(c => context.CallActivityAsync<ValidateSourceOutput>(
                nameof(ValidateSourceActivity), new ValidateSourceInput(settings.Question, c), _modelRetry)));
            var accepted = new List<SearchHit>();
            for (var i = 0; i < candidates.Count; i++)
            {
                var verdict = outputs[i].Verdict;
                _usage += outputs[i].Usage;

                // The verdict is matched to the candidate by position, never by an id the model might have echoed.
                var acceptedHere = verdict.Accepted && !verdict.InjectionSuspected;
                _sources.Add(new SourceSummary(candidates[i].SourceId, candidates[i].Title, candidates[i].Url, acceptedHere, verdict.Reason));
                if (acceptedHere)
                {
                    accepted.Add(candidates[i]);
                }
            }

            _counts = _counts with
            {
                Validated = candidates.Count,
                Accepted = accepted.Count,
                Rejected = candidates.Count - accepted.Count,
                InjectionSuspected = outputs.Count(o => o.Verdict.InjectionSuspected),
            };

            return await DraftAndReviewAsync(accepted);
        }

        private async Task<ResearchResult> DraftAndReviewAsync(List<SearchHit> accepted)
        {
            string? feedback = null;
            ReviewDecision? lastDecision = null;
            while (true)
            {
                var draft = await DraftAsync(accepted, feedback);
                if (draft is null)
                {
                    return await EndAsync(ResearchOutcome.BudgetExceeded, _lastCheckedDraft, lastDecision, _budgetNote);
                }

                if (!settings.RequireApproval)
                {
                    return await PublishAsync(ResearchOutcome.NotReviewed, draft, null);
                }

                var decideBy = context.CurrentUtcDateTime.Add(settings.ApprovalTimeout);
                await NotifyReviewerAsync(draft, decideBy);
                string? note = null;
                while (true)
                {
                    SetStatus(ResearchPhase.AwaitingApproval, draft, decideBy, note: note);
                    ReviewDecision decision;
                    try
                    {
                        var remaining = decideBy - context.CurrentUtcDateTime;
                        decision = await context.WaitForExternalEvent<ReviewDecision>(
                            ReviewDecision.EventName, remaining > TimeSpan.Zero ? remaining : TimeSpan.FromTicks(1));
                    }
                    catch (TaskCanceledException)
                    {
                        return await EndAsync(ResearchOutcome.TimedOut, draft, null, $"No review decision arrived within {settings.ApprovalTimeout}.");
                    }

                    switch (Normalize(decision?.Decision))
                    {
                        case ReviewDecision.Approve:
                            return await PublishAsync(ResearchOutcome.Approved, draft, decision);
                        case ReviewDecision.Reject:
                            return await EndAsync(ResearchOutcome.Rejected, draft, decision, null);
                        case ReviewDecision.Revise when _revisions >= settings.MaxRevisions:
                            note = $"A revision was requested but the limit of {settings.MaxRevisions} is reached; approve or reject this draft.";
                            _logger.LogInformation("Run {InstanceId}: revision declined, limit {Limit} reached.", context.InstanceId, settings.MaxRevisions);
                            continue;
                        case ReviewDecision.Revise:
                            _revisions++;
                            lastDecision = decision;
                            _revisionRequests.Add(decision!);
                            feedback = string.IsNullOrWhiteSpace(decision!.Comment)
                                ? "The reviewer asked for a revision without a comment; improve clarity and coverage."
                                : decision.Comment;
                            break;
                        default:
                            note = $"Ignored a decision that is not approve, reject or revise: '{Shorten(decision?.Decision)}'.";
                            continue;
                    }

                    break;
                }
            }
        }

        /// <summary>Synthesis plus citation check, redrafting with the findings a bounded number of times; null when the budget stops it.</summary>
        private async Task<ResearchReport?> DraftAsync(List<SearchHit> accepted, string? feedback)
        {
            IReadOnlyList<CitationFinding>? findings = null;
            ResearchReport? draft = null;
            var sourceCharacters = accepted.Sum(s => (long)s.Title.Length + s.Content.Length);
            for (_citationRound = 0; _citationRound <= settings.MaxCitationRounds; _citationRound++)
            {
                SetStatus(feedback is null ? ResearchPhase.Synthesizing : ResearchPhase.Revising);

                // No accepted source means no model call: the synthesizer answers "no sources" by itself.
                var findingCharacters = findings?.Sum(f => (long)f.Problem.Length + 8) ?? 0;
                var estimate = accepted.Count == 0 ? 0 : settings.Estimates.PromptOverhead
                    + TokenEstimates.ForText(settings.Question.Length + sourceCharacters + (feedback?.Length ?? 0) + findingCharacters)
                    + settings.Estimates.SynthesizerOutput;
                if (!Affordable(estimate, "synthesis"))
                {
                    _budgetNote = BudgetNote(feedback is null ? "writing the report" : "revising the report", estimate);
                    return null;
                }

                var synthesis = await context.CallActivityAsync<SynthesizeReportOutput>(
                    nameof(SynthesizeReportActivity), new SynthesizeReportInput(settings.Question, accepted, feedback, findings), _modelRetry);
                _usage += synthesis.Usage;
                draft = synthesis.Report;

                SetStatus(ResearchPhase.CheckingCitations);
                var checkEstimate = settings.Estimates.CitationCheckerOutput == 0 || draft.Citations.Count == 0 ? 0
                    : settings.Estimates.PromptOverhead + TokenEstimates.ForText(draft.Summary.Length + draft.Citations.Sum(c => (long)c.Quote.Length + 40))
                        + settings.Estimates.CitationCheckerOutput;
                if (!Affordable(checkEstimate, "citation check"))
                {
                    _budgetNote = BudgetNote("checking the citations", checkEstimate);
                    return null;
                }

                var check = await context.CallActivityAsync<CheckCitationsOutput>(
                    nameof(CheckCitationsActivity), new CheckCitationsInput(draft, accepted), _modelRetry);
                _usage += check.Usage;
                if (check.Check.Passed)
                {
                    _citationProblems = [];
                    _lastCheckedDraft = draft;
                    return draft;
                }

                findings = check.Check.Findings;
                _logger.LogWarning("Run {InstanceId}: citation check round {Round} found {Count} problem(s).", context.InstanceId, _citationRound, findings.Count);
            }

            _citationRound = settings.MaxCitationRounds;
            _citationProblems = findings ?? [];
            return draft;
        }

        private async Task<IReadOnlyList<SearchHit>> SearchAsync(SubQuery query)
        {
            try
            {
                var result = await context.CallActivityAsync<SearchSourcesOutput>(
                    nameof(SearchSourcesActivity), new SearchSourcesInput(query.Text, settings.HitsPerSubQuery));
                return result.Hits;
            }
            catch (TaskFailedException ex)
            {
                _searchFailures.Add($"\"{Shorten(query.Text)}\": {ex.FailureDetails.ErrorMessage}");
                _logger.LogWarning("Run {InstanceId}: search for \"{Query}\" failed, continuing without it: {Error}", context.InstanceId, query.Text, ex.FailureDetails.ErrorMessage);
                return [];
            }
        }

        private async Task NotifyReviewerAsync(ResearchReport draft, DateTime decideBy)
        {
            var notification = new ReviewNotification(
                context.InstanceId, settings.Question, draft.Title, draft.Summary, _revisions, new DateTimeOffset(decideBy, TimeSpan.Zero));
            try
            {
                await context.CallActivityAsync<NotifyReviewerOutput>(nameof(NotifyReviewerActivity), new NotifyReviewerInput(notification), _storeRetry);
            }
            catch (TaskFailedException ex)
            {
                // The run is listed as awaiting approval on the review page either way; a lost notice must not end it.
                _logger.LogWarning("Run {InstanceId}: the reviewer could not be notified: {Error}", context.InstanceId, ex.FailureDetails.ErrorMessage);
            }
        }

        private async Task<ResearchResult> PublishAsync(ResearchOutcome outcome, ResearchReport report, ReviewDecision? decision)
        {
            SetStatus(ResearchPhase.Publishing, outcome: outcome);
            var result = Result(outcome, report, decision);
            await context.CallActivityAsync<PublishReportOutput>(
                nameof(PublishReportActivity),
                new PublishReportInput(context.InstanceId, result, new DateTimeOffset(context.CurrentUtcDateTime, TimeSpan.Zero)),
                _storeRetry);
            return await FinishAsync(result, null);
        }

        private Task<ResearchResult> EndAsync(ResearchOutcome outcome, ResearchReport? report, ReviewDecision? decision, string? note) =>
            FinishAsync(Result(outcome, report, decision), note);

        private async Task<ResearchResult> FinishAsync(ResearchResult result, string? note)
        {
            if (settings.CallbackUrl is { } url)
            {
                try
                {
                    await context.CallActivityAsync<DeliverCallbackOutput>(
                        nameof(DeliverCallbackActivity), new DeliverCallbackInput(context.InstanceId, url, result), _callbackRetry);
                }
                catch (TaskFailedException ex)
                {
                    note = (note is null ? string.Empty : note + " ") + $"The callback failed: {ex.FailureDetails.ErrorMessage}";
                    _logger.LogWarning("Run {InstanceId}: callback to {Url} failed for good; the result stays in the instance output{Stored}: {Error}",
                        context.InstanceId, url, result.Outcome is ResearchOutcome.Approved or ResearchOutcome.NotReviewed ? " and the report store" : string.Empty, ex.FailureDetails.ErrorMessage);
                }
            }

            // The last status says the run is over and how it ended, not the phase it stopped in.
            SetStatus(ResearchPhase.Finished, result.Report, outcome: result.Outcome, note: note);
            return result;
        }

        private ResearchResult Result(ResearchOutcome outcome, ResearchReport? report, ReviewDecision? decision) =>
            new(settings.Question, outcome, report, [.. _sources], decision, _usage, _revisions);

        private bool Affordable(long estimate, string step)
        {
            if (_usage.TotalTokens + estimate <= settings.TokenBudget)
            {
                return true;
            }

            _logger.LogWarning(
                "Run {InstanceId}: budget stop before {Step}: spent {Spent} + estimated {Estimate} > budget {Budget}.",
                context.InstanceId, step, _usage.TotalTokens, estimate, settings.TokenBudget);
            return false;
        }

        private string BudgetNote(string step, long estimate) =>
            $"Token budget reached before {step}: spent {_usage.TotalTokens}, next step estimated at {estimate}, budget {settings.TokenBudget}.";

        private void SetStatus(ResearchPhase phase, ResearchReport? draft = null, DateTime? decideBy = null, ResearchOutcome? outcome = null, string? note = null)
        {
            var showSources = phase == ResearchPhase.AwaitingApproval || outcome is not null;
            context.SetCustomStatus(new ResearchStatus(
                phase,
                _usage,
                settings.TokenBudget,
                _subQueries,
                _counts,
                [.. _searchFailures],
                _citationRound,
                _revisions,
                Math.Max(0, settings.MaxRevisions - _revisions),
                _citationProblems,
                showSources || _sources.Count > 0 ? [.. _sources] : null,
                phase == ResearchPhase.AwaitingApproval || outcome is not null ? draft : null,
                decideBy,
                outcome,
                note,
                _revisionRequests.Count == 0 ? null : [.. _revisionRequests]).FitToCap());
        }

        private static string? Normalize(string? decision) =>
            new[] { ReviewDecision.Approve, ReviewDecision.Reject, ReviewDecision.Revise }
                .FirstOrDefault(d => string.Equals(d, decision?.Trim(), StringComparison.OrdinalIgnoreCase));

        private static string Shorten(string? text) => text is null ? string.Empty : text.Length <= 80 ? text : text[..80] + "...";
    }
}
