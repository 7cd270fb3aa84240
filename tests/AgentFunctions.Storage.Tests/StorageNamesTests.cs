namespace AgentFunctions.Storage.Tests;

public sealed class StorageNamesTests
{
    [Theory]
    [InlineData("abc", true)]
    [InlineData("a-b-c1", true)]
    [InlineData("1queue", true)]
    [InlineData("ab", false)]
    [InlineData("Abc", false)]
    [InlineData("-abc", false)]
    [InlineData("abc-", false)]
    [InlineData("a--b", false)]
    [InlineData("a_b", false)]
    [InlineData("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc", true)]
    [InlineData("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd", false)]
    public void IsValidQueueOrContainerName_FollowsAzureRule(string name, bool expected) =>
        Assert.Equal(expected, StorageNames.IsValidQueueOrContainerName(name));

    [Theory]
    [InlineData("abc", true)]
    [InlineData("Instances1", true)]
    [InlineData("1abc", false)]
    [InlineData("ab", false)]
    [InlineData("a-b", false)]
    [InlineData("tables", false)]
    [InlineData("Tables", false)]
    public void IsValidTableName_FollowsAzureRule(string name, bool expected) =>
        Assert.Equal(expected, StorageNames.IsValidTableName(name));

    [Fact]
    public void GetQueueClient_BadName_ThrowsBeforeAnyRequestWithTheRule()
    {
        // An unreachable endpoint: a request would fail with a connection error, not ArgumentException.
        using var account = new StorageAccountClient("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://127.0.0.1");

        var ex = Assert.Throws<ArgumentException>(() => account.GetQueueClient("Bad_Queue"));

        Assert.Contains("'Bad_Queue' is not a valid queue name", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no consecutive hyphens", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetTableClient_BadName_ThrowsWithTheRule()
    {
        using var account = new StorageAccountClient("UseDevelopmentStorage=true");

        var ex = Assert.Throws<ArgumentException>(() => account.GetTableClient("my-table"));

        Assert.Contains("^[A-Za-z][A-Za-z0-9]{2,62}$", ex.Message, StringComparison.Ordinal);
    }
}
