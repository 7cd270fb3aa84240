using System.Text;
using AgentFunctions.Host.Approvals;

namespace AgentFunctions.Host.Tests.Unit;

public sealed class WebhookSignatureTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"decision\":\"approve\"}");
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    [Fact]
    public void Compute_KnownInput_MatchesIndependentHmac()
    {
        using var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes("s3cret"));
        var expected = Convert.ToHexStringLower(hmac.ComputeHash(Encoding.UTF8.GetBytes("1800000000.{\"decision\":\"approve\"}")));

        Assert.Equal(expected, WebhookSignature.Compute("s3cret", 1_800_000_000, Body));
    }

    [Fact]
    public void Verify_ValidHeader_ReturnsNull()
    {
        var header = WebhookSignature.CreateHeader("s3cret", Now.ToUnixTimeSeconds(), Body);

        Assert.Null(WebhookSignature.Verify(header, Body, ["other", "s3cret"], Now, Tolerance));
    }

    [Fact]
    public void Verify_BodyChangedAfterSigning_Fails()
    {
        var header = WebhookSignature.CreateHeader("s3cret", Now.ToUnixTimeSeconds(), Body);

        Assert.NotNull(WebhookSignature.Verify(header, Encoding.UTF8.GetBytes("{\"decision\":\"reject\"}"), ["s3cret"], Now, Tolerance));
    }

    [Theory]
    [InlineData(300, true)]
    [InlineData(301, false)]
    [InlineData(-300, true)]
    [InlineData(-301, false)]
    public void Verify_TimestampSkew_AcceptedOnlyWithinTolerance(int skew, bool accepted)
    {
        var header = WebhookSignature.CreateHeader("s3cret", Now.ToUnixTimeSeconds() + skew, Body);

        Assert.Equal(accepted, WebhookSignature.Verify(header, Body, ["s3cret"], Now, Tolerance) is null);
    }

    [Fact]
    public void Verify_NoSecretsConfigured_FailsSayingSo()
    {
        var header = WebhookSignature.CreateHeader("s3cret", Now.ToUnixTimeSeconds(), Body);

        Assert.Contains("WebhookSecret", WebhookSignature.Verify(header, Body, [], Now, Tolerance), StringComparison.Ordinal);
    }
}
