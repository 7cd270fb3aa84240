using System.Diagnostics;
using System.Net;
using AgentFunctions.Research.Orchestration;
using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Publishing;

namespace AgentFunctions.Research.Tests.Publishing;

public sealed class HttpCallbackSenderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static readonly ResearchResult Result = new("q?", ResearchOutcome.NotReviewed, null, [], null, Usage.None, 0);

    private static CallbackUrlPolicy Policy(bool allowPrivate) => new(new CallbackUrlPolicyOptions { AllowPrivateNetworks = allowPrivate, AllowHttp = true });

    private static Func<string, CancellationToken, Task<IPAddress[]>> Resolving(string name, params IPAddress[] addresses) =>
        (host, _) => host == name ? Task.FromResult(addresses) : throw new InvalidOperationException($"Unexpected lookup of '{host}'.");

    [Fact]
    public async Task SendAsync_NameResolvingToLoopbackPrivateNotAllowed_RefusedBeforeConnecting()
    {
        await using var receiver = new LoopbackReceiver();
        using var sender = new HttpCallbackSender(Timeout, Policy(allowPrivate: false), Resolving("callback.example.com", IPAddress.Loopback));

        var ex = await Assert.ThrowsAsync<CallbackUrlRefusedException>(() =>
            sender.SendAsync(new Uri($"http://callback.example.com:{receiver.Port}/hook"), "run-1", Result, CancellationToken.None));

        Assert.Contains("host 'callback.example.com' resolves to 127.0.0.1, a loopback address", ex.Message, StringComparison.Ordinal);
        Assert.Contains(CallbackUrlPolicyOptions.AllowPrivateNetworksKey, ex.Message, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task SendAsync_NameResolvingToLoopbackPrivateAllowed_DeliversToTheCheckedAddress()
    {
        await using var receiver = new LoopbackReceiver();
        using var sender = new HttpCallbackSender(Timeout, Policy(allowPrivate: true), Resolving("callback.example.com", IPAddress.Loopback));

        await sender.SendAsync(new Uri($"http://callback.example.com:{receiver.Port}/hook"), "run-1", Result, CancellationToken.None);

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hook", request.Target);
        Assert.Equal($"callback.example.com:{receiver.Port}", request.Headers["Host"]);
        Assert.Equal("run-1", request.Headers[HttpCallbackSender.InstanceHeader]);
        Assert.Contains("\"question\":\"q?\"", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_OneOfSeveralResolvedAddressesPrivate_Refused()
    {
        await using var receiver = new LoopbackReceiver();
        using var sender = new HttpCallbackSender(
            Timeout, Policy(allowPrivate: false), Resolving("mixed.example.com", IPAddress.Parse("93.184.216.34"), IPAddress.Parse("169.254.169.254")));

        var ex = await Assert.ThrowsAsync<CallbackUrlRefusedException>(() =>
            sender.SendAsync(new Uri($"http://mixed.example.com:{receiver.Port}/hook"), "run-1", Result, CancellationToken.None));

        Assert.Contains("resolves to 169.254.169.254, a link-local address", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_LoopbackLiteralPrivateNotAllowed_RefusedWithoutLookup()
    {
        await using var receiver = new LoopbackReceiver();
        using var sender = new HttpCallbackSender(Timeout, Policy(allowPrivate: false), (host, _) => throw new InvalidOperationException($"Unexpected lookup of '{host}'."));

        var ex = await Assert.ThrowsAsync<CallbackUrlRefusedException>(() =>
            sender.SendAsync(new Uri($"http://127.0.0.1:{receiver.Port}/hook"), "run-1", Result, CancellationToken.None));

        Assert.Contains("host '127.0.0.1' is a loopback address", ex.Message, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task SendAsync_LocalhostWithSystemResolverPrivateAllowed_Delivers()
    {
        await using var receiver = new LoopbackReceiver();
        using var sender = new HttpCallbackSender(Timeout, Policy(allowPrivate: true));

        await sender.SendAsync(new Uri($"http://localhost:{receiver.Port}/hook"), "run-1", Result, CancellationToken.None);

        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task SendAsync_ReceiverRedirects_NotFollowedAndNotRetried()
    {
        await using var receiver = new LoopbackReceiver { Answer = new(307, ["Location: http://169.254.169.254/latest/meta-data/"]) };
        using var sender = new HttpCallbackSender(Timeout, Policy(allowPrivate: true));

        var ex = await Assert.ThrowsAsync<NonRetryableException>(() =>
            sender.SendAsync(new Uri($"http://127.0.0.1:{receiver.Port}/hook"), "run-1", Result, CancellationToken.None));

        Assert.Contains("redirects are not followed", ex.Message, StringComparison.Ordinal);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task SendAsync_ReceiverDeclaresHugeBodyAndStalls_ReturnsOnHeadersWithoutReadingIt()
    {
        await using var receiver = new LoopbackReceiver { Answer = new(200, Body: "partial", DeclaredLength: 1L << 32) };
        using var sender = new HttpCallbackSender(Timeout, Policy(allowPrivate: true));
        var clock = Stopwatch.StartNew();

        await sender.SendAsync(new Uri($"http://127.0.0.1:{receiver.Port}/hook"), "run-1", Result, CancellationToken.None);

        Assert.True(clock.Elapsed < Timeout / 2, $"The send took {clock.Elapsed}; it must not wait for the body.");
    }

    [Theory]
    [InlineData(503, typeof(CallbackDeliveryException))]
    [InlineData(429, typeof(CallbackDeliveryException))]
    [InlineData(400, typeof(NonRetryableException))]
    public async Task SendAsync_ReceiverFails_RetryableOnlyForTransientStatuses(int status, Type expected)
    {
        await using var receiver = new LoopbackReceiver { Answer = new(status) };
        using var sender = new HttpCallbackSender(Timeout, Policy(allowPrivate: true));

        var ex = await Assert.ThrowsAnyAsync<Exception>(() =>
            sender.SendAsync(new Uri($"http://127.0.0.1:{receiver.Port}/hook?token=secret"), "run-1", Result, CancellationToken.None));

        Assert.IsType(expected, ex);
        Assert.Contains($"answered {status}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", ex.Message, StringComparison.Ordinal);
    }
}
