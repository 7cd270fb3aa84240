using AgentFunctions.Durable;

namespace AgentFunctions.FaultHost;

/// <summary>The orchestrations fault tests run: a fan-out of slow activities.</summary>
public static class FaultOrchestrations
{
    public const string FanOut = "FaultFanOut";

    public static DurableTaskRegistry Registry() => new DurableTaskRegistry()
        .AddActivityFunc<int, long>("SlowSquare", async (_, x) =>
        {
            await Task.Delay(150);
            return (long)x * x;
        })
        .AddOrchestratorFunc<int, long>(FanOut, async (ctx, n) =>
        {
            var results = await Task.WhenAll(Enumerable.Range(1, n).Select(i => ctx.CallActivityAsync<long>("SlowSquare", i)));
            return results.Sum();
        });
}
