using AgentFunctions.Research.Contracts;
using AgentFunctions.Research.Orchestration;
using AgentFunctions.Research.Search;
using AgentFunctions.Research.Tests.Search;

namespace AgentFunctions.Research.Tests.Orchestration;

/// <summary>The defaults must make the documented review loop reachable: three revisions, then approval.</summary>
public sealed class DefaultBudgetTests
{
    private static readonly Lazy<CorpusSearchProvider> s_corpus = new(() => CorpusSearchProvider.FromDirectory(RepositoryPaths.CorpusDirectory));

    [Fact]
    public async Task Run_DefaultBudgetAndMaxSourcesOnTheCorpus_AllowsTheDefaultRevisionsThenApproval()
    {
        // Arrange: every default (budget, sources, revisions) on a multi-part question that accepts many sources.
        await using var host = await PipelineHost.StartAsync(new PipelineSetup { Search = s_corpus.Value });
        var request = new ResearchRequest("How do lithium-ion, flow batteries and pumped hydro compare on round-trip efficiency and lifespan for grid storage?");
        var revisions = new ResearchPipelineOptions().MaxRevisions;
        var id = await host.StartResearchAsync(request);

        // Act
        for (var i = 1; i <= revisions; i++)
        {
            await host.WaitForPhaseAsync(id, ResearchPhase.AwaitingApproval, s => s.Revisions == i - 1);
            await host.DecideAsync(id, ReviewDecision.Revise, "Needs more detail.");
        }

        await host.WaitForPhaseAsync(id, ResearchPhase.AwaitingApproval, s => s.Revisions == revisions);
        await host.DecideAsync(id, ReviewDecision.Approve);
        var result = await host.CompleteAsync(id);

        // Assert
        Assert.Equal(3, revisions);
        Assert.Equal(ResearchOutcome.Approved, result.Outcome);
        Assert.Equal(revisions, result.Revisions);
        Assert.True(result.Usage.TotalTokens <= request.TokenBudget, $"{result.Usage.TotalTokens} tokens spent of {request.TokenBudget}");
    }
}
