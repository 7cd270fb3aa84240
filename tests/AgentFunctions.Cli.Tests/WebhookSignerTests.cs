using System.Text;
using AgentFunctions.Cli;
using AgentFunctions.Host.Approvals;

namespace AgentFunctions.Cli.Tests;

public sealed class WebhookSignerTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"decision":"approve","reviewer":"Ada"}""");

    [Fact]
    public void Sign_KnownVector_MatchesOpenSsl()
    {
        // printf '%s' '1700000000.{"decision":"approve","reviewer":"Ada"}' | openssl dgst -sha256 -hmac s3cret -hex
        var header = WebhookSigner.Sign("s3cret", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), Body);

        Assert.Equal("t=1700000000,v1=96737dacb0e8296ee5d847fcd7eac73793b74b511bfec0937e91f4f7afd45d47", header);
    }

    [Fact]
    public void Sign_Now_AcceptedByTheHostsCheck()
    {
        var now = DateTimeOffset.UtcNow;

        var header = WebhookSigner.Sign("current-secret", now, Body);

        Assert.Null(WebhookSignature.Verify(header, Body, ["current-secret"], now, TimeSpan.FromMinutes(5)));
        Assert.NotNull(WebhookSignature.Verify(header, Body, ["another-secret"], now, TimeSpan.FromMinutes(5)));
        Assert.NotNull(WebhookSignature.Verify(header, Encoding.UTF8.GetBytes("""{"decision":"reject","reviewer":"Ada"}"""), ["current-secret"], now, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void NewDeliveryId_TwoCalls_Differ()
    {
        Assert.NotEqual(WebhookSigner.NewDeliveryId(), WebhookSigner.NewDeliveryId());
    }
}
