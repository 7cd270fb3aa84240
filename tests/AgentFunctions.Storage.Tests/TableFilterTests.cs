using AgentFunctions.Storage.Tables;

namespace AgentFunctions.Storage.Tests;

public sealed class TableFilterTests
{
    [Fact]
    public void Format_InterpolatedValues_BecomeEscapedTypedLiterals()
    {
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        var when = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(1));

        var filter = TableFilter.Format($"PartitionKey eq {"O'Brien"} and N gt {5L} and I lt {3} and D ge {1.0} and G eq {id} and T lt {when} and B eq {true}");

        Assert.Equal(
            "PartitionKey eq 'O''Brien' and N gt 5L and I lt 3 and D ge 1.0 and G eq guid'0f8fad5b-d9cb-469f-a165-70867728950e' "
            + "and T lt datetime'2024-01-02T02:04:05.0000000Z' and B eq true",
            filter);
    }

    [Fact]
    public void StartsWith_BuildsRangeOnNextCharacter()
    {
        Assert.Equal("RowKey ge 'ab' and RowKey lt 'ac'", TableFilter.StartsWith("RowKey", "ab"));
    }

    [Fact]
    public void And_WrapsEachCondition()
    {
        Assert.Equal("(a eq 1) and (b eq 2)", TableFilter.And("a eq 1", "b eq 2"));
    }
}
