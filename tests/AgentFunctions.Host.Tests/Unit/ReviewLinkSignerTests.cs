using Microsoft.Extensions.Time.Testing;
using AgentFunctions.Host.Review;

namespace AgentFunctions.Host.Tests.Unit;

public sealed class ReviewLinkSignerTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ReviewLinkSigner _signer;

    public ReviewLinkSignerTests() => _signer = new ReviewLinkSigner("0123456789abcdef0123456789abcdef"u8.ToArray(), TimeSpan.FromDays(7), _time);

    [Fact]
    public void TryVerify_FreshToken_Succeeds()
    {
        var token = _signer.Sign(LinkPurpose.View, "run-1");

        Assert.True(_signer.TryVerify(token, LinkPurpose.View, "run-1", out var expires));
        Assert.Equal(_time.GetUtcNow().AddDays(7).ToUnixTimeSeconds(), expires.ToUnixTimeSeconds());
    }

    [Fact]
    public void TryVerify_AfterTtl_Fails()
    {
        var token = _signer.Sign(LinkPurpose.View, "run-1");

        _time.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));

        Assert.False(_signer.TryVerify(token, LinkPurpose.View, "run-1", out _));
    }

    [Fact]
    public void TryVerify_OtherInstanceOrPurpose_Fails()
    {
        var view = _signer.Sign(LinkPurpose.View, "run-1");

        Assert.False(_signer.TryVerify(view, LinkPurpose.View, "run-2", out _));
        Assert.False(_signer.TryVerify(view, LinkPurpose.Decide, "run-1", out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("99999999999.not-base64!")]
    public void TryVerify_Malformed_Fails(string? token) =>
        Assert.False(_signer.TryVerify(token, LinkPurpose.View, "run-1", out _));

    [Fact]
    public void TryVerify_ExtendedExpiry_Fails()
    {
        var token = _signer.Sign(LinkPurpose.View, "run-1");
        var forged = $"{long.Parse(token.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture) + 86_400}.{token.Split('.')[1]}";

        Assert.False(_signer.TryVerify(forged, LinkPurpose.View, "run-1", out _));
    }
}
