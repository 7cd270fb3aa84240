using System.Net;
using AgentFunctions.Research.Configuration;
using AgentFunctions.Research.Publishing;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Research.Tests.Publishing;

public sealed class CallbackUrlPolicyTests
{
    private static readonly CallbackUrlPolicy Production = CallbackUrlPolicy.Default;

    private static readonly CallbackUrlPolicy LocalDevelopment = new(new CallbackUrlPolicyOptions { AllowPrivateNetworks = true, AllowHttp = true });

    [Theory]
    [InlineData("8.8.8.8", AddressCategory.Public)]
    [InlineData("93.184.216.34", AddressCategory.Public)]
    [InlineData("127.0.0.1", AddressCategory.Loopback)]
    [InlineData("127.255.255.254", AddressCategory.Loopback)]
    [InlineData("10.0.0.5", AddressCategory.Private)]
    [InlineData("172.16.0.1", AddressCategory.Private)]
    [InlineData("172.31.255.255", AddressCategory.Private)]
    [InlineData("172.32.0.1", AddressCategory.Public)]
    [InlineData("192.168.1.1", AddressCategory.Private)]
    [InlineData("100.64.0.1", AddressCategory.SharedAddressSpace)]
    [InlineData("100.127.255.255", AddressCategory.SharedAddressSpace)]
    [InlineData("100.128.0.1", AddressCategory.Public)]
    [InlineData("169.254.169.254", AddressCategory.LinkLocal)]
    [InlineData("0.0.0.0", AddressCategory.Unspecified)]
    [InlineData("0.1.2.3", AddressCategory.Unspecified)]
    [InlineData("224.0.0.1", AddressCategory.Multicast)]
    [InlineData("255.255.255.255", AddressCategory.Reserved)]
    [InlineData("198.18.0.1", AddressCategory.Reserved)]
    [InlineData("192.0.2.10", AddressCategory.Reserved)]
    [InlineData("::1", AddressCategory.Loopback)]
    [InlineData("::", AddressCategory.Unspecified)]
    [InlineData("fe80::1", AddressCategory.LinkLocal)]
    [InlineData("fc00::1", AddressCategory.UniqueLocal)]
    [InlineData("fd00:ec2::254", AddressCategory.UniqueLocal)]
    [InlineData("fec0::1", AddressCategory.UniqueLocal)]
    [InlineData("ff02::1", AddressCategory.Multicast)]
    [InlineData("::ffff:127.0.0.1", AddressCategory.Loopback)]
    [InlineData("::ffff:10.0.0.5", AddressCategory.Private)]
    [InlineData("::ffff:169.254.169.254", AddressCategory.LinkLocal)]
    [InlineData("::ffff:8.8.8.8", AddressCategory.Public)]
    [InlineData("64:ff9b::a00:5", AddressCategory.Private)]
    [InlineData("64:ff9b::808:808", AddressCategory.Public)]
    [InlineData("2002:7f00:1::1", AddressCategory.Loopback)]
    [InlineData("2002:a9fe:a9fe::1", AddressCategory.LinkLocal)]
    [InlineData("2002:808:808::1", AddressCategory.Public)]
    [InlineData("::127.0.0.1", AddressCategory.Reserved)]
    [InlineData("2001::1", AddressCategory.Reserved)]
    [InlineData("2001:db8::1", AddressCategory.Reserved)]
    [InlineData("4000::1", AddressCategory.Reserved)]
    [InlineData("2001:4860:4860::8888", AddressCategory.Public)]
    [InlineData("2a00:1450:4001:81b::200e", AddressCategory.Public)]
    public void Classify_AddressTable_GivesCategory(string address, AddressCategory expected)
    {
        var category = CallbackUrlPolicy.Classify(IPAddress.Parse(address));

        Assert.Equal(expected, category);
    }

    [Theory]
    [InlineData("http://2130706433/")]
    [InlineData("http://017700000001/")]
    [InlineData("http://0x7f000001/")]
    [InlineData("http://0x7f.1/")]
    [InlineData("http://0177.0.0.1/")]
    [InlineData("http://127.1/")]
    [InlineData("http://0x7f.0x0.0x0.0x1/")]
    public void Uri_NumericIPv4Spellings_AreNormalisedToTheDottedQuad(string url)
    {
        var uri = new Uri(url);

        // What the policy relies on: .NET reads these as the IPv4 literal 127.0.0.1, as getaddrinfo would.
        Assert.Equal(UriHostNameType.IPv4, uri.HostNameType);
        Assert.Equal("127.0.0.1", uri.IdnHost);
    }

    [Fact]
    public void Uri_FullwidthDots_StayADnsNameWhoseIdnFormIsTheLiteral()
    {
        var uri = new Uri("http://127\u30020\u30020\u30021/");

        Assert.Equal(UriHostNameType.Dns, uri.HostNameType);
        Assert.Equal("127.0.0.1", uri.IdnHost);
    }

    [Theory]
    [InlineData("https://example.com/hook")]
    [InlineData("https://hooks.example.com:8443/a/b?token=x")]
    [InlineData("https://8.8.8.8/hook")]
    [InlineData("https://[2001:4860:4860::8888]/hook")]
    public void IsAllowed_PublicHttpsUrl_Allowed(string url)
    {
        var allowed = Production.IsAllowed(new Uri(url), out var reason);

        Assert.True(allowed, reason);
        Assert.Null(reason);
    }

    [Theory]
    [InlineData("http://example.com/hook", "only https is allowed unless AgentFunctions:Callbacks:AllowHttp=true")]
    [InlineData("ftp://example.com/x", "scheme 'ftp' is not http or https")]
    [InlineData("https://user:secret@example.com/", "user information")]
    [InlineData("https://10.0.0.5/cb", "host '10.0.0.5' is a private address (10.0.0.0/8); set AgentFunctions:Callbacks:AllowPrivateNetworks=true to allow")]
    [InlineData("https://192.168.0.10/cb", "a private address")]
    [InlineData("https://100.100.100.200/cb", "a carrier-grade NAT shared address")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "host '169.254.169.254' is a link-local address")]
    [InlineData("https://2130706433/", "host '127.0.0.1' is a loopback address")]
    [InlineData("https://0x7f.1/", "host '127.0.0.1' is a loopback address")]
    [InlineData("https://0177.0.0.1/", "host '127.0.0.1' is a loopback address")]
    [InlineData("https://127.1:7071/", "host '127.0.0.1' is a loopback address")]
    [InlineData("https://127\u30020\u30020\u30021/", "host '127.0.0.1' is a loopback address")]
    [InlineData("https://0/", "an unspecified address")]
    [InlineData("https://[::1]:8443/", "host '::1' is a loopback address")]
    [InlineData("https://[::ffff:7f00:1]/", "host '::ffff:127.0.0.1' is a loopback address")]
    [InlineData("https://[::ffff:a9fe:a9fe]/", "a link-local address")]
    [InlineData("https://[fe80::1%25eth0]/", "host 'fe80::1' is a link-local address")]
    [InlineData("https://[fd12:3456::1]/", "a unique-local IPv6 address")]
    [InlineData("https://[ff02::1]/", "a multicast address")]
    [InlineData("https://localhost/", "host 'localhost' is a loopback name")]
    [InlineData("https://LOCALHOST./", "host 'localhost' is a loopback name")]
    [InlineData("https://api.localhost/", "is a loopback name")]
    [InlineData("https://metadata/computeMetadata/v1/", "host 'metadata' is a single-label name")]
    [InlineData("https://metadata.google.internal/", "under '.internal'")]
    [InlineData("https://printer.local/", "under '.local'")]
    public void IsAllowed_RefusedUrl_GivesTheReason(string url, string expected)
    {
        var allowed = Production.IsAllowed(new Uri(url), out var reason);

        Assert.False(allowed);
        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:7071/callback")]
    [InlineData("http://localhost:9000/")]
    [InlineData("http://receiver/")]
    [InlineData("http://10.0.0.5/cb")]
    [InlineData("http://100.64.0.1/cb")]
    [InlineData("http://[::1]/cb")]
    [InlineData("http://[fd00::1]/cb")]
    public void IsAllowed_PrivateTargetWithPrivateNetworksAllowed_Allowed(string url)
    {
        var allowed = LocalDevelopment.IsAllowed(new Uri(url), out var reason);

        Assert.True(allowed, reason);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "which a callback may never reach")]
    [InlineData("http://[fe80::1]/", "a link-local address")]
    [InlineData("http://0.0.0.0:7071/", "an unspecified address")]
    [InlineData("http://224.0.0.251/", "a multicast address")]
    [InlineData("http://user@localhost/", "user information")]
    public void IsAllowed_NeverReachableTargetWithPrivateNetworksAllowed_StillRefused(string url, string expected)
    {
        var allowed = LocalDevelopment.IsAllowed(new Uri(url), out var reason);

        Assert.False(allowed);
        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://hooks.example.com/x", true)]
    [InlineData("https://HOOKS.Example.com./x", true)]
    [InlineData("https://a.partner.test/x", true)]
    [InlineData("https://a.b.partner.test/x", true)]
    [InlineData("https://partner.test/x", false)]
    [InlineData("https://evilpartner.test/x", false)]
    [InlineData("https://other.example.com/x", false)]
    [InlineData("https://hooks.example.com.evil.test/x", false)]
    public void IsAllowed_AllowedHosts_MatchesExactNamesAndWildcardSuffixes(string url, bool expected)
    {
        var policy = new CallbackUrlPolicy(new CallbackUrlPolicyOptions { AllowedHosts = { "hooks.example.com", "*.partner.test" } });

        var allowed = policy.IsAllowed(new Uri(url), out var reason);

        Assert.Equal(expected, allowed);
        if (!expected)
        {
            Assert.Contains("is not in AgentFunctions:Callbacks:AllowedHosts", reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void IsAllowed_AllowListedPrivateAddress_StillRefusedWithoutPrivateNetworks()
    {
        var policy = new CallbackUrlPolicy(new CallbackUrlPolicyOptions { AllowedHosts = { "10.0.0.5" } });

        var allowed = policy.IsAllowed(new Uri("https://10.0.0.5/cb"), out var reason);

        Assert.False(allowed);
        Assert.Contains("a private address", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("*.")]
    [InlineData("a*.example.com")]
    [InlineData("exa mple.com")]
    [InlineData("https://example.com/")]
    public void Constructor_BadAllowedHostsEntry_ThrowsNamingTheKey(string entry)
    {
        var ex = Assert.Throws<InvalidSettingException>(() => new CallbackUrlPolicy(new CallbackUrlPolicyOptions { AllowedHosts = { entry } }));

        Assert.Contains("AgentFunctions:Callbacks:AllowedHosts", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureAllowed_RefusedUrl_ThrowsNonRetryableWithoutQueryOrUserInfo()
    {
        var ex = Assert.Throws<CallbackUrlRefusedException>(() => Production.EnsureAllowed(new Uri("https://10.0.0.5/cb?token=secret")));

        Assert.IsAssignableFrom<Research.Orchestration.NonRetryableException>(ex);
        Assert.Contains("https://10.0.0.5/cb", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Configuration_ReadsFlagsAndBothListForms()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentFunctions:Callbacks:AllowPrivateNetworks"] = "true",
            ["AgentFunctions:Callbacks:AllowHttp"] = "True",
            ["AgentFunctions:Callbacks:AllowedHosts:0"] = "a.example.com",
            ["AgentFunctions:Callbacks:AllowedHosts:1"] = "*.b.example.com",
        }).Build();
        var commaSeparated = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentFunctions:Callbacks:AllowedHosts"] = "a.example.com, *.b.example.com",
        }).Build();

        var options = CallbackUrlPolicyOptions.Load(configuration);
        var fromList = CallbackUrlPolicyOptions.Load(commaSeparated);

        Assert.True(options.AllowPrivateNetworks);
        Assert.True(options.AllowHttp);
        Assert.Equal(["a.example.com", "*.b.example.com"], options.AllowedHosts);
        Assert.False(fromList.AllowPrivateNetworks);
        Assert.False(fromList.AllowHttp);
        Assert.Equal(["a.example.com", "*.b.example.com"], fromList.AllowedHosts);
    }

    [Fact]
    public void Load_MalformedFlag_ThrowsNamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentFunctions:Callbacks:AllowPrivateNetworks"] = "yes",
        }).Build();

        var ex = Assert.Throws<InvalidSettingException>(() => CallbackUrlPolicyOptions.Load(configuration));

        Assert.Equal("Invalid setting 'AgentFunctions:Callbacks:AllowPrivateNetworks': 'yes' is not true or false.", ex.Message);
    }
}
