using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Search;

namespace AgentFunctions.Research.Tests.Search;

public sealed class RankFusionTests
{
    [Fact]
    public void Fuse_SourceSeveralQueriesAgreeOn_OutranksASingleQuerysTopHit()
    {
        // "b" is second in both lists; "a" and "c" are each first in one list only.
        IReadOnlyList<SearchHit>[] lists = [[Hit("a"), Hit("b")], [Hit("c"), Hit("b")]];

        var fused = RankFusion.Fuse(lists);

        Assert.Equal(["b", "a", "c"], fused.Select(h => h.SourceId));
    }

    [Fact]
    public void Fuse_DuplicatesWithinAndAcrossLists_KeepsEachSourceOnceFromItsBestRank()
    {
        IReadOnlyList<SearchHit>[] lists = [[Hit("a", "q1"), Hit("a", "q1"), Hit("b", "q1")], [Hit("b", "q2")]];

        var fused = RankFusion.Fuse(lists);

        Assert.Equal(2, fused.Count);
        Assert.Equal("q2", fused.Single(h => h.SourceId == "b").Query); // rank 1 in q2 beats rank 2 in q1
    }

    [Fact]
    public void Fuse_SameInputTwice_SameOrder()
    {
        IReadOnlyList<SearchHit>[] lists = [[Hit("x"), Hit("y"), Hit("z")], [Hit("z"), Hit("w")], []];

        Assert.Equal(RankFusion.Fuse(lists).Select(h => h.SourceId), RankFusion.Fuse(lists).Select(h => h.SourceId));
        Assert.Equal("z", RankFusion.Fuse(lists)[0].SourceId);
    }

    [Fact]
    public void Fuse_KBelowOne_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RankFusion.Fuse([], k: 0));

    private static SearchHit Hit(string id, string query = "q") => new(id, id, $"https://example.test/{id}", null, "text", 1, query);
}
