using AgentFunctions.Research.Models;
using Microsoft.Extensions.AI;

namespace AgentFunctions.Research.Tests.Models;

public sealed class ModelCircuitBreakerTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public async Task GetResponseAsync_AfterThresholdFailures_OpensAndFailsFastWithRetryAfter()
    {
        var inner = new FailingChatClient(failures: 10);
        var breaker = new ModelCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 3, BreakDuration = TimeSpan.FromSeconds(30) }, _time);
        using var client = new ResilientChatClient(inner, breaker);
        var changes = new List<CircuitStateChange>();
        breaker.StateChanged += (_, change) => changes.Add(change);

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("hi"));
        }

        _time.Advance(TimeSpan.FromSeconds(10));
        var ex = await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(3, inner.Calls);
        Assert.Equal(TimeSpan.FromSeconds(20), ex.RetryAfter);
        Assert.Equal([new CircuitStateChange(CircuitState.Closed, CircuitState.Open, _time.GetUtcNow() - TimeSpan.FromSeconds(10))], changes);
    }

    [Fact]
    public async Task GetResponseAsync_AfterCoolDown_ProbeSuccessCloses()
    {
        var inner = new FailingChatClient(failures: 2);
        var breaker = new ModelCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 2, BreakDuration = TimeSpan.FromSeconds(30) }, _time);
        using var client = new ResilientChatClient(inner, breaker);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("hi"));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("hi"));

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        var response = await client.GetResponseAsync("hi");

        Assert.Equal("ok", response.Text);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(0, breaker.ConsecutiveFailures);
    }

    [Fact]
    public async Task GetResponseAsync_ProbeFails_ReopensForAFullCoolDown()
    {
        var inner = new FailingChatClient(failures: 3);
        var breaker = new ModelCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 2, BreakDuration = TimeSpan.FromSeconds(30) }, _time);
        using var client = new ResilientChatClient(inner, breaker);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("hi"));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("hi"));
        _time.Advance(TimeSpan.FromSeconds(31));

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("hi"));
        var ex = await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(TimeSpan.FromSeconds(30), ex.RetryAfter);
        Assert.Equal(3, inner.Calls);
    }

    [Fact]
    public async Task GetResponseAsync_NonRetryableRequestErrors_DoNotOpenTheCircuit()
    {
        var inner = new FailingChatClient(failures: 5, error: () => new ModelRequestException(ModelRequestFailure.ContentFilter, "filtered", 400));
        var breaker = new ModelCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 2 }, _time);
        using var client = new ResilientChatClient(inner, breaker);

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<ModelRequestException>(() => client.GetResponseAsync("hi"));
        }

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Same(breaker, client.GetService(typeof(ModelCircuitBreaker)));
    }

    [Fact]
    public void BreakerStateGauge_ReportsOpenBreaker()
    {
        var breaker = new ModelCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 1, Name = "gauge-test-" + Guid.NewGuid() }, _time);
        breaker.EnsureCallAllowed();
        breaker.RecordFailure();
        var seen = new List<int>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == AgentFunctions.Research.Telemetry.ResearchTelemetry.BreakerStateInstrument)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "breaker" && (string?)tag.Value == breaker.Name)
                {
                    seen.Add(value);
                }
            }
        });
        listener.Start();

        listener.RecordObservableInstruments();

        Assert.Equal([(int)CircuitState.Open], seen);
    }

    private sealed class FailingChatClient(int failures, Func<Exception>? error = null) : IChatClient
    {
        public int Calls { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            return Calls <= failures
                ? Task.FromException<ChatResponse>(error?.Invoke() ?? new HttpRequestException("connection refused"))
                : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
