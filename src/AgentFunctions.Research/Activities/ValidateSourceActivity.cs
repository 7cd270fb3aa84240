using Microsoft.DurableTask;
using AgentFunctions.Research.Agents;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Models;
using AgentFunctions.Research.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Research.Activities;

/// <summary>Input of <see cref="ValidateSourceActivity"/>.</summary>
/// <param name="Question">The research question.</param>
/// <param name="Source">The source to judge (untrusted).</param>
public sealed record ValidateSourceInput(string Question, SearchHit Source);

/// <summary>Output of <see cref="ValidateSourceActivity"/>.</summary>
/// <param name="Verdict">The typed verdict the orchestrator decides on.</param>
/// <param name="Usage">Model usage of the step.</param>
public sealed record ValidateSourceOutput(SourceVerdict Verdict, Usage Usage);

/// <summary>
/// Judges one source with the <see cref="SourceValidatorAgent"/> (injection screen first). A source the validator
/// cannot judge (its replies stayed invalid, or the provider's content filter blocked it) is rejected with that
/// reason rather than failing the run: one bad document must not sink the question. A model outage still
/// propagates so the orchestrator can wait and retry.
/// </summary>
/// <param name="validator">The validator agent.</param>
/// <param name="logger">Logger.</param>
public sealed class ValidateSourceActivity(SourceValidatorAgent validator, ILogger<ValidateSourceActivity>? logger = null)
    : TaskActivity<ValidateSourceInput, ValidateSourceOutput>
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <inheritdoc />
    public override async Task<ValidateSourceOutput> RunAsync(TaskActivityContext context, ValidateSourceInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        using var span = RunTrace.StartStep("validate", context.InstanceId);
        span?.SetTag("research.source_id", input.Source.SourceId);
        try
        {
            var result = await validator.ValidateAsync(input.Question, input.Source).ConfigureAwait(false);
            span?.SetTag("research.source.accepted", result.Value.Accepted);
            return new ValidateSourceOutput(result.Value, result.Usage);
        }
        catch (AgentOutputException ex)
        {
            _logger.LogWarning("Instance {InstanceId}: source {SourceId} rejected, the validator's output stayed invalid: {Error}", context.InstanceId, input.Source.SourceId, ex.LastValidationError);
            return new ValidateSourceOutput(
                new SourceVerdict(input.Source.SourceId, false, "Rejected: the validator could not produce a valid verdict for this source.", 0, false),
                ex.Usage);
        }
        catch (ModelRequestException ex) when (ex.Failure == ModelRequestFailure.ContentFilter)
        {
            _logger.LogWarning("Instance {InstanceId}: source {SourceId} rejected, the content filter blocked it.", context.InstanceId, input.Source.SourceId);
            return new ValidateSourceOutput(
                new SourceVerdict(input.Source.SourceId, false, "Rejected: the model provider's content filter blocked this source.", 0, false),
                Usage.None);
        }
    }
}
