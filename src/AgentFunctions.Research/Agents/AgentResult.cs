using AgentFunctions.Research.Contracts;

namespace AgentFunctions.Research.Agents;

/// <summary>What an agent produced and what it cost.</summary>
/// <typeparam name="T">The agent's output contract.</typeparam>
/// <param name="Value">The validated output.</param>
/// <param name="Usage">Tokens and model calls spent, repairs included.</param>
/// <param name="Attempts">Model calls made (0 when the answer needed no model, e.g. a screened-out source).</param>
public sealed record AgentResult<T>(T Value, Usage Usage, int Attempts);
