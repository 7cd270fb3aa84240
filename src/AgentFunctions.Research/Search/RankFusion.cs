using AgentFunctions.Research.Contracts;

namespace AgentFunctions.Research.Search;

/// <summary>
/// Reciprocal rank fusion of several ranked hit lists: a source's fused score is the sum, over the lists that
/// hold it, of <c>1 / (k + rank)</c> (rank from 1). A source several sub-queries agree on outranks one that only
/// a single sub-query ranks high, and provider scores are never compared across queries (they are comparable only
/// within one). Pure and deterministic, so the orchestrator may call it during replay.
/// </summary>
public static class RankFusion
{
    /// <summary>The usual damping constant: large enough that rank 1 does not dwarf ranks 2 to 10.</summary>
    public const int DefaultK = 60;

    /// <summary>Fuses the lists into one list of distinct sources, best first.</summary>
    /// <param name="hitLists">One ranked list per sub-query, best first; duplicates within a list count once.</param>
    /// <param name="k">The damping constant (at least 1).</param>
    /// <returns>
    /// Every distinct source once, ordered by fused score; ties go to the better single rank, then to the earlier
    /// list, then to the source id. Each source is the hit from the list that ranked it best.
    /// </returns>
    public static IReadOnlyList<SearchHit> Fuse(IReadOnlyList<IReadOnlyList<SearchHit>> hitLists, int k = DefaultK)
    {
        ArgumentNullException.ThrowIfNull(hitLists);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var fused = new Dictionary<string, (SearchHit Hit, double Score, int BestRank, int FirstList)>(StringComparer.Ordinal);
        for (var list = 0; list < hitLists.Count; list++)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var rank = 0;
            foreach (var hit in hitLists[list] ?? [])
            {
                if (!seen.Add(hit.SourceId))
                {
                    continue;
                }

                rank++;
                var contribution = 1.0 / (k + rank);
                fused[hit.SourceId] = fused.TryGetValue(hit.SourceId, out var known)
                    ? (rank < known.BestRank ? hit : known.Hit, known.Score + contribution, Math.Min(rank, known.BestRank), known.FirstList)
                    : (hit, contribution, rank, list);
            }
        }

        return [.. fused.Values
            .OrderByDescending(f => f.Score)
            .ThenBy(f => f.BestRank)
            .ThenBy(f => f.FirstList)
            .ThenBy(f => f.Hit.SourceId, StringComparer.Ordinal)
            .Select(f => f.Hit)];
    }
}
