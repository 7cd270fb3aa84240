using AgentFunctions.Functions.Functions;
using AgentFunctions.Research.Orchestration;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Moq;

namespace AgentFunctions.Functions.Tests;

public sealed class BatchQueueFunctionTests : IDisposable
{
    private const string Message = """{"batchId": "b1", "questions": ["What is a durable timer?", {"question": "What is fan-out?", "maxSources": 3}], "requireApproval": false}""";

    private readonly Microsoft.Extensions.DependencyInjection.ServiceProvider _services = FunctionServices.Build();
    private readonly Mock<DurableTaskClient> _client = new("test");
    private readonly List<(string InstanceId, BatchRequest Request)> _started = [];

    public BatchQueueFunctionTests()
    {
        // The mock remembers what it started, as a task hub does, so a redelivery finds the instance.
        _client.Setup(c => c.GetInstanceAsync(It.IsAny<string>(), false, It.IsAny<CancellationToken>()))
            .Returns<string, bool, CancellationToken>((id, _, _) => Task.FromResult(
                _started.Any(s => s.InstanceId == id) ? new OrchestrationMetadata(nameof(BatchOrchestrator), id) { RuntimeStatus = OrchestrationRuntimeStatus.Running } : null));
        _client.Setup(c => c.ScheduleNewOrchestrationInstanceAsync(
                It.Is<TaskName>(n => n.Name == nameof(BatchOrchestrator)), It.IsAny<object?>(), It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()))
            .Returns<TaskName, object?, StartOrchestrationOptions?, CancellationToken>((_, input, options, _) =>
            {
                _started.Add((options!.InstanceId!, (BatchRequest)input!));
                return Task.FromResult(options.InstanceId!);
            });
    }

    [Fact]
    public async Task Run_ValidMessage_StartsBatchUnderItsId()
    {
        await Function().RunAsync(Message, _client.Object, CancellationToken.None);

        var (instanceId, request) = Assert.Single(_started);
        Assert.Equal("batch-b1", instanceId);
        Assert.Equal(["What is a durable timer?", "What is fan-out?"], request.Questions.Select(q => q.Question));
        Assert.Equal(3, request.Questions[1].MaxSources);
        Assert.False(request.RequireApproval);
    }

    [Fact]
    public async Task Run_SameMessageDeliveredTwice_StartsTheBatchOnce()
    {
        var function = Function();

        await function.RunAsync(Message, _client.Object, CancellationToken.None);
        await function.RunAsync(Message, _client.Object, CancellationToken.None);

        Assert.Single(_started);
        _client.Verify(c => c.ScheduleNewOrchestrationInstanceAsync(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("""{"questions": ["q"]}""", "batchId is required")]
    [InlineData("""{"batchId": "b2", "questions": []}""", "questions must not be empty")]
    [InlineData("""{"batchId": "b/3", "questions": ["q"]}""", "batchId 'b/3' may not contain")]
    public async Task Run_MalformedMessage_ThrowsNamingTheProblemAndStartsNothing(string message, string problem)
    {
        var ex = await Assert.ThrowsAsync<InvalidBatchMessageException>(() => Function().RunAsync(message, _client.Object, CancellationToken.None));

        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
        Assert.Empty(_started);
        _client.VerifyNoOtherCalls();
    }

    public void Dispose() => _services.Dispose();

    private BatchQueueFunction Function() => FunctionServices.Create<BatchQueueFunction>(_services);
}
