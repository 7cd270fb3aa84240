using AgentFunctions.Research.Activities;
using AgentFunctions.Research.Orchestration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Functions.Functions;

/// <summary>
/// Every activity the pipeline's orchestrators call, as activity functions named after their classes (the
/// orchestrators call activities by those names). Each resolves its activity class with the invocation's services
/// and runs it, so the work is the same code the local host runs.
/// </summary>
public static class ActivityFunctions
{
    /// <summary>Runs <see cref="LoadRunSettingsActivity"/>.</summary>
    [Function(nameof(LoadRunSettingsActivity))]
    public static Task<RunSettings> LoadRunSettingsAsync([ActivityTrigger] LoadRunSettingsInput input, FunctionContext context) =>
        RunAsync<LoadRunSettingsActivity, LoadRunSettingsInput, RunSettings>(input, context);

    /// <summary>Runs <see cref="PlanResearchActivity"/>.</summary>
    [Function(nameof(PlanResearchActivity))]
    public static Task<PlanResearchOutput> PlanResearchAsync([ActivityTrigger] PlanResearchInput input, FunctionContext context) =>
        RunAsync<PlanResearchActivity, PlanResearchInput, PlanResearchOutput>(input, context);

    /// <summary>Runs <see cref="SearchSourcesActivity"/>.</summary>
    [Function(nameof(SearchSourcesActivity))]
    public static Task<SearchSourcesOutput> SearchSourcesAsync([ActivityTrigger] SearchSourcesInput input, FunctionContext context) =>
        RunAsync<SearchSourcesActivity, SearchSourcesInput, SearchSourcesOutput>(input, context);

    /// <summary>Runs <see cref="ValidateSourceActivity"/>.</summary>
    [Function(nameof(ValidateSourceActivity))]
    public static Task<ValidateSourceOutput> ValidateSourceAsync([ActivityTrigger] ValidateSourceInput input, FunctionContext context) =>
        RunAsync<ValidateSourceActivity, ValidateSourceInput, ValidateSourceOutput>(input, context);

    /// <summary>Runs <see cref="SynthesizeReportActivity"/>.</summary>
    [Function(nameof(SynthesizeReportActivity))]
    public static Task<SynthesizeReportOutput> SynthesizeReportAsync([ActivityTrigger] SynthesizeReportInput input, FunctionContext context) =>
        RunAsync<SynthesizeReportActivity, SynthesizeReportInput, SynthesizeReportOutput>(input, context);

    /// <summary>Runs <see cref="CheckCitationsActivity"/>.</summary>
    [Function(nameof(CheckCitationsActivity))]
    public static Task<CheckCitationsOutput> CheckCitationsAsync([ActivityTrigger] CheckCitationsInput input, FunctionContext context) =>
        RunAsync<CheckCitationsActivity, CheckCitationsInput, CheckCitationsOutput>(input, context);

    /// <summary>Runs <see cref="NotifyReviewerActivity"/>.</summary>
    [Function(nameof(NotifyReviewerActivity))]
    public static Task<NotifyReviewerOutput> NotifyReviewerAsync([ActivityTrigger] NotifyReviewerInput input, FunctionContext context) =>
        RunAsync<NotifyReviewerActivity, NotifyReviewerInput, NotifyReviewerOutput>(input, context);

    /// <summary>Runs <see cref="PublishReportActivity"/>.</summary>
    [Function(nameof(PublishReportActivity))]
    public static Task<PublishReportOutput> PublishReportAsync([ActivityTrigger] PublishReportInput input, FunctionContext context) =>
        RunAsync<PublishReportActivity, PublishReportInput, PublishReportOutput>(input, context);

    /// <summary>Runs <see cref="DeliverCallbackActivity"/>.</summary>
    [Function(nameof(DeliverCallbackActivity))]
    public static Task<DeliverCallbackOutput> DeliverCallbackAsync([ActivityTrigger] DeliverCallbackInput input, FunctionContext context) =>
        RunAsync<DeliverCallbackActivity, DeliverCallbackInput, DeliverCallbackOutput>(input, context);

    private static Task<TOutput> RunAsync<TActivity, TInput, TOutput>(TInput input, FunctionContext context)
        where TActivity : TaskActivity<TInput, TOutput>
    {
        ArgumentNullException.ThrowIfNull(context);
        var activity = ActivatorUtilities.GetServiceOrCreateInstance<TActivity>(context.InstanceServices);
        return activity.RunAsync(FunctionActivityContext.From(context), input);
    }
}
