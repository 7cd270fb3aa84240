namespace AgentFunctions.Storage.Tests;

public sealed class StorageConnectionStringTests
{
    private const string Key = "a2V5LWJ5dGVzLWZvci10ZXN0aW5nLW9ubHk=";

    [Fact]
    public void Parse_UseDevelopmentStorage_GivesAzuriteDefaults()
    {
        var parsed = StorageConnectionString.Parse("UseDevelopmentStorage=true");

        Assert.True(parsed.IsDevelopmentStorage);
        Assert.Equal("devstoreaccount1", parsed.AccountName);
        Assert.True(parsed.HasAccountKey);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), parsed.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), parsed.QueueEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), parsed.TableEndpoint);
    }

    [Fact]
    public void Parse_DevelopmentStorageProxyUri_MovesTheHost()
    {
        var parsed = StorageConnectionString.Parse("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://azurite.local");

        Assert.Equal(new Uri("http://azurite.local:10001/devstoreaccount1"), parsed.QueueEndpoint);
    }

    [Fact]
    public void Parse_AccountNameAndKey_DerivesEndpointsFromProtocolAndSuffix()
    {
        var parsed = StorageConnectionString.Parse(
            $"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={Key};EndpointSuffix=core.chinacloudapi.cn");

        Assert.Equal("acct", parsed.AccountName);
        Assert.Equal(new Uri("https://acct.blob.core.chinacloudapi.cn"), parsed.BlobEndpoint);
        Assert.Equal(new Uri("https://acct.queue.core.chinacloudapi.cn"), parsed.QueueEndpoint);
        Assert.Equal(new Uri("https://acct.table.core.chinacloudapi.cn"), parsed.TableEndpoint);
    }

    [Fact]
    public void Parse_ExplicitEndpointsAndSas_KeepsThemAndStripsQuestionMark()
    {
        var parsed = StorageConnectionString.Parse(
            "BlobEndpoint=http://127.0.0.1:1/a;QueueEndpoint=http://127.0.0.1:2/a;TableEndpoint=http://127.0.0.1:3/a;SharedAccessSignature=?sv=2021&sig=abc%3D");

        Assert.Null(parsed.AccountName);
        Assert.False(parsed.HasAccountKey);
        Assert.Equal("sv=2021&sig=abc%3D", parsed.SharedAccessSignature);
        Assert.Equal(new Uri("http://127.0.0.1:2/a"), parsed.QueueEndpoint);
    }

    [Fact]
    public void Parse_KeysAreCaseInsensitiveAndEmptyPartsIgnored()
    {
        var parsed = StorageConnectionString.Parse($";accountname=acct;ACCOUNTKEY={Key};;");

        Assert.Equal("acct", parsed.AccountName);
    }

    [Theory]
    [InlineData("AccountName=acct;AccountKey=not*base64!", "AccountKey is not valid base64")]
    [InlineData("AccountName=acct;Foo=bar", "unknown key 'Foo'")]
    [InlineData("AccountName=acct;QueueEndpoint=/relative", "QueueEndpoint is not an absolute URI")]
    [InlineData("AccountName=acct;BlobEndpoint=ftp://x/y", "BlobEndpoint is not an absolute URI")]
    [InlineData("AccountName=acct;AccountName=other", "AccountName appears more than once")]
    [InlineData("AccountName=acct;DefaultEndpointsProtocol=ftp", "DefaultEndpointsProtocol must be 'http' or 'https'")]
    [InlineData("AccountKey=" + Key, "AccountKey requires AccountName")]
    [InlineData("QueueEndpoint=http://127.0.0.1:2/a", "BlobEndpoint is missing")]
    [InlineData("UseDevelopmentStorage=false", "UseDevelopmentStorage must be 'true'")]
    [InlineData("UseDevelopmentStorage=true;AccountName=x", "AccountName cannot be combined with UseDevelopmentStorage=true")]
    [InlineData("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=nope", "DevelopmentStorageProxyUri is not an absolute http(s) URI")]
    [InlineData("AccountName=acct;justtext", "not of the form Key=Value")]
    [InlineData("", "it is empty")]
    [InlineData("AccountName=acct;AccountKey=" + Key + ";SharedAccessSignature=sv=1", "cannot both be given")]
    public void Parse_Malformed_ThrowsFormatExceptionNamingThePart(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => StorageConnectionString.Parse(text));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.False(StorageConnectionString.TryParse(text, out _));
    }

    [Fact]
    public void Parse_BadKey_NeverEchoesTheKey()
    {
        const string secretish = "c2VjcmV0LXZhbHVl!!";

        var ex = Assert.Throws<FormatException>(() => StorageConnectionString.Parse($"AccountName=acct;AccountKey={secretish}"));

        Assert.DoesNotContain(secretish, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_RedactsKeyAndSignature()
    {
        var text = StorageConnectionString.Parse($"AccountName=acct;AccountKey={Key}").ToString();

        Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
        Assert.Contains("<redacted>", text, StringComparison.Ordinal);
    }
}
