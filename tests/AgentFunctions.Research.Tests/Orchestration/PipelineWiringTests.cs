using AgentFunctions.Durable;
using AgentFunctions.Research.Activities;
using AgentFunctions.Research.Orchestration;
using AgentFunctions.Research.Publishing;
using AgentFunctions.Research.Review;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Research.Tests.Orchestration;

public sealed class PipelineWiringTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void AddResearchPipeline_ConfigurationSection_BindsOptionsAndDefaults()
    {
        var services = new ServiceCollection().AddResearchPipeline(Config(
            ("AgentFunctions:Research:MaxSubQueries", "2"),
            ("AgentFunctions:Research:DefaultApprovalTimeout", "02:00:00"),
            ("AgentFunctions:Research:ModelRetry:MaxAttempts", "3")));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<ResearchPipelineOptions>();

        Assert.Equal(2, options.MaxSubQueries);
        Assert.Equal(TimeSpan.FromHours(2), options.DefaultApprovalTimeout);
        Assert.Equal(3, options.ModelRetry.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ModelRetry.FirstInterval);
        Assert.IsType<InMemoryReportStore>(provider.GetRequiredService<IReportStore>());
        Assert.IsType<LoggingReviewNotifier>(provider.GetRequiredService<IReviewNotifier>());
        Assert.NotNull(ActivatorUtilities.CreateInstance<ValidateSourceActivity>(provider));
    }

    [Fact]
    public void AddResearchPipeline_OutOfRangeSetting_ThrowsNamingIt()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new ServiceCollection().AddResearchPipeline(Config(("AgentFunctions:Research:MaxRevisions", "-1"))));

        Assert.Contains("AgentFunctions:Research:MaxRevisions", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Register_AddsBothOrchestratorsAndEveryActivity()
    {
        var registry = ResearchPipeline.Register(new DurableTaskRegistry());

        Assert.Equal([nameof(BatchOrchestrator), nameof(ResearchOrchestrator)], registry.OrchestratorNames.Order());
        Assert.Equal(9, registry.ActivityNames.Count);
        Assert.True(registry.ContainsActivity(nameof(PublishReportActivity)));
    }
}
