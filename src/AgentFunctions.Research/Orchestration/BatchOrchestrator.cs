using System.Globalization;
using Microsoft.DurableTask;
using AgentFunctions.Research.Contracts;

namespace AgentFunctions.Research.Orchestration;

/// <summary>
/// Runs a batch of questions, one <see cref="ResearchOrchestrator"/> sub-orchestration each (instance id
/// <c>batch-&lt;batchId&gt;-qNN</c>), at most <see cref="BatchRequest.MaxConcurrency"/> at a time in a sliding window.
/// A failed question is recorded with its error and never fails the others or the batch.
/// </summary>
public sealed class BatchOrchestrator : TaskOrchestrator<BatchRequest, BatchResult>
{
    /// <summary>Upper bound on <see cref="BatchRequest.MaxConcurrency"/>.</summary>
    public const int MaxConcurrencyCap = 64;

    /// <summary>The sub-orchestration instance id of question <paramref name="index"/> (from 1) of a batch.</summary>
    /// <param name="batchId">The batch id.</param>
    /// <param name="index">The question's position, from 1.</param>
    public static string QuestionInstanceId(string batchId, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"batch-{batchId}-q{index:D2}");

    /// <inheritdoc />
    public override async Task<BatchResult> RunAsync(TaskOrchestrationContext context, BatchRequest input)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (input is null || string.IsNullOrWhiteSpace(input.BatchId) || input.Questions is null)
        {
            throw new ArgumentException("A batch needs a batchId and a questions list.", nameof(input));
        }

        var total = input.Questions.Count;
        var concurrency = Math.Clamp(input.MaxConcurrency, 1, MaxConcurrencyCap);
        var items = new BatchItemResult?[total];
        var inFlight = new List<Task<BatchItemResult>>();
        var failed = 0;
        var next = 0;
        context.SetCustomStatus(new BatchStatus(0, total, 0, 0));
        while (next < total || inFlight.Count > 0)
        {
            while (next < total && inFlight.Count < concurrency)
            {
                inFlight.Add(RunQuestionAsync(context, input, next++));
            }

            var finished = await Task.WhenAny(inFlight);
            inFlight.Remove(finished);
            var item = await finished;
            items[item.Index - 1] = item;
            failed += item.Error is null ? 0 : 1;
            context.SetCustomStatus(new BatchStatus(items.Count(i => i is not null), total, failed, inFlight.Count));
        }

        var done = items.Select(i => i!).ToList();
        var outcomes = done.Where(i => i.Outcome is not null).GroupBy(i => i.Outcome!.Value).ToDictionary(g => g.Key, g => g.Count());
        return new BatchResult(input.BatchId, total, total - failed, failed, outcomes, done);
    }

    private static async Task<BatchItemResult> RunQuestionAsync(TaskOrchestrationContext context, BatchRequest batch, int position)
    {
        var request = batch.Questions[position];
        var index = position + 1;
        var instanceId = QuestionInstanceId(batch.BatchId, index);
        if (request is null)
        {
            return new BatchItemResult(index, instanceId, string.Empty, null, null, "The batch entry is empty.");
        }

        if (batch.RequireApproval is { } requireApproval)
        {
            request = request with { RequireApproval = requireApproval };
        }

        try
        {
            var result = await context.CallSubOrchestratorAsync<ResearchResult>(
                nameof(ResearchOrchestrator), request, new SubOrchestrationOptions { InstanceId = instanceId });
            return new BatchItemResult(index, instanceId, request.Question, result.Outcome, result.Report?.Title, null);
        }
        catch (TaskFailedException ex)
        {
            return new BatchItemResult(index, instanceId, request.Question, null, null, ex.FailureDetails.InnerFailure?.ErrorMessage ?? ex.FailureDetails.ErrorMessage);
        }
    }
}
