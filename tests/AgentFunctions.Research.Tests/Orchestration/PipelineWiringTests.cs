using Microsoft.DurableTask;
using AgentFunctions.Research.Activities;
using AgentFunctions.Research.Configuration;
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
        var ex = Assert.Throws<InvalidSettingException>(() =>
            new ServiceCollection().AddResearchPipeline(Config(("AgentFunctions:Research:MaxRevisions", "-1"))));

        Assert.Equal("AgentFunctions:Research:MaxRevisions", ex.Key);
        Assert.StartsWith("Invalid setting 'AgentFunctions:Research:MaxRevisions': -1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AgentFunctions:Research:MaxRevisions", "abc", "'abc' is not a whole number.")]
    [InlineData("AgentFunctions:Research:ModelRetry:BackoffCoefficient", "fast", "'fast' is not a number.")]
    [InlineData("AgentFunctions:Research:VerifyCitationSupportWithModel", "yes", "'yes' is not true or false.")]
    [InlineData("AgentFunctions:Research:CallbackTimeout", "10s", "'10s' is not a duration")]
    [InlineData("AgentFunctions:Research:MaxRevison", "3", "is not a setting; the settings under AgentFunctions:Research are ")]
    public void AddResearchPipeline_MalformedOrUnknownSetting_ThrowsNamingIt(string key, string value, string problem)
    {
        var ex = Assert.Throws<InvalidSettingException>(() => new ServiceCollection().AddResearchPipeline(Config((key, value))));

        Assert.Equal(key, ex.Key);
        Assert.StartsWith(problem, ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AddResearchPipeline_BlankSetting_KeepsTheDefault()
    {
        using var provider = new ServiceCollection().AddResearchPipeline(Config(("AgentFunctions:Research:MaxRevisions", " "))).BuildServiceProvider();

        Assert.Equal(3, provider.GetRequiredService<ResearchPipelineOptions>().MaxRevisions);
    }

    [Fact]
    public void Register_AddsBothOrchestratorsAndEveryActivity()
    {
        // Arrange: the SDK registry keeps its tasks internal, but refuses a second task of a name it already holds.
        var activityTypes = typeof(ResearchPipeline).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == typeof(TaskActivity<,>))
            .ToList();

        // Act
        var registry = ResearchPipeline.Register(new DurableTaskRegistry());

        // Assert
        Assert.Equal(9, activityTypes.Count);
        Assert.Contains(typeof(PublishReportActivity), activityTypes);
        Assert.All(activityTypes, t => Assert.Throws<ArgumentException>(() => registry.AddActivity(t)));
        Assert.Throws<ArgumentException>(() => registry.AddOrchestrator<ResearchOrchestrator>());
        Assert.Throws<ArgumentException>(() => registry.AddOrchestrator<BatchOrchestrator>());
        Assert.Throws<ArgumentException>(() => registry.AddActivity<NotAPipelineActivity>(nameof(PublishReportActivity)));
        registry.AddActivity<NotAPipelineActivity>();
    }

    /// <summary>A task the pipeline does not register, showing the registry accepts names it does not hold.</summary>
    private sealed class NotAPipelineActivity : TaskActivity<string, string>
    {
        public override Task<string> RunAsync(TaskActivityContext context, string input) => Task.FromResult(input);
    }
}
