namespace AgentFunctions.Research.Agents;

/// <summary>A model reply broke its contract; the message is fed back to the model verbatim for repair.</summary>
internal sealed class ReplyValidationException(string message) : Exception(message);
