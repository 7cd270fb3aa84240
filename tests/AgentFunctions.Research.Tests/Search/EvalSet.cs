using System.Text.Json;

namespace AgentFunctions.Research.Tests.Search;

/// <summary>One question of <c>samples/eval/questions.json</c>.</summary>
internal sealed record EvalQuestion(string Id, string Question, IReadOnlyList<string> Relevant, IReadOnlyList<string> MustNotCite)
{
    public static IReadOnlyList<EvalQuestion> Load() =>
        JsonSerializer.Deserialize<List<EvalQuestion>>(
            File.ReadAllText(RepositoryPaths.EvalQuestionsFile),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))
        ?? throw new InvalidDataException("questions.json is empty.");
}
