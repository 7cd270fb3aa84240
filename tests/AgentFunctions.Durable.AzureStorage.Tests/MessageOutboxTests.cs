using AgentFunctions.Durable.History;

namespace AgentFunctions.Durable.AzureStorage.Tests;

public sealed class MessageOutboxTests
{
    private static (TaskMessage Message, string Envelope) Item(int i, int padding = 0) =>
        (new TaskMessage("i" + i, "x", new EventRaisedEvent(DateTimeOffset.UnixEpoch, "E", null)), $"{{\"n\":{i},\"p\":\"{new string('p', padding)}\"}}");

    [Fact]
    public async Task SendAsync_Idle_SendsAtOnceAlone()
    {
        var sent = new List<int>();
        var outbox = new MessageOutbox(batch => { lock (sent) { sent.Add(batch.Count); } return Task.CompletedTask; }, maxParts: 32, maxBytes: 45 * 1024, maxInFlight: 4);

        await outbox.SendAsync([Item(1)], CancellationToken.None);

        Assert.Equal([1], sent);
    }

    [Fact]
    public async Task SendAsync_WhileSendsInFlight_PacksWaitingMessagesUpToTheCount()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstInFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sizes = new List<int>();
        var outbox = new MessageOutbox(
            async batch =>
            {
                lock (sizes)
                {
                    sizes.Add(batch.Count);
                }

                firstInFlight.TrySetResult();
                await gate.Task;
            },
            maxParts: 32, maxBytes: 45 * 1024, maxInFlight: 1);

        var first = outbox.SendAsync([Item(0)], CancellationToken.None);
        await firstInFlight.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var rest = Enumerable.Range(1, 100).Select(i => outbox.SendAsync([Item(i)], CancellationToken.None)).ToList();
        gate.SetResult();
        await Task.WhenAll([first, .. rest]);

        Assert.Equal([1, 32, 32, 32, 4], sizes);
    }

    [Fact]
    public async Task SendAsync_LargeEnvelopes_PacksWithinTheByteLimit()
    {
        var sizes = new List<int>();
        var outbox = new MessageOutbox(batch => { lock (sizes) { sizes.Add(batch.Count); } return Task.CompletedTask; }, maxParts: 32, maxBytes: 45 * 1024, maxInFlight: 1);

        // 20 KB each: two fit in 45 KB, a third does not.
        await outbox.SendAsync([.. Enumerable.Range(0, 5).Select(i => Item(i, padding: 20_000))], CancellationToken.None);

        Assert.Equal([2, 2, 1], sizes);
    }

    [Fact]
    public async Task SendAsync_SendFails_FailsEveryCallerOfThatBatchOnly()
    {
        var calls = 0;
        var outbox = new MessageOutbox(
            _ => Interlocked.Increment(ref calls) == 1 ? Task.FromException(new InvalidOperationException("storage down")) : Task.CompletedTask,
            maxParts: 32, maxBytes: 45 * 1024, maxInFlight: 1);

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => outbox.SendAsync([Item(1), Item(2)], CancellationToken.None));
        await outbox.SendAsync([Item(3)], CancellationToken.None);

        Assert.Equal("storage down", failed.Message);
        Assert.Equal(2, calls);
    }
}
