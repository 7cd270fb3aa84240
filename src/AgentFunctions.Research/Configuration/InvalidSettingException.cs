namespace AgentFunctions.Research.Configuration;

/// <summary>
/// A setting of the pipeline is malformed or out of range. The message reads <c>Invalid setting '&lt;key&gt;': &lt;problem&gt;</c>,
/// the way a host reports every bad setting, so the operator knows which key to fix.
/// </summary>
public sealed class InvalidSettingException : ArgumentException
{
    /// <summary>Creates the exception for a key.</summary>
    /// <param name="key">The configuration key at fault, as an operator writes it (<c>AgentFunctions:Research:MaxRevisions</c>).</param>
    /// <param name="problem">What is wrong with the value and what is accepted.</param>
    public InvalidSettingException(string key, string problem)
        : base($"Invalid setting '{key}': {problem}")
    {
        Key = key;
        Problem = problem;
    }

    /// <summary>Creates the exception.</summary>
    public InvalidSettingException()
        : this("unknown", "unspecified problem")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public InvalidSettingException(string message)
        : base(message)
    {
        Key = "unknown";
        Problem = message;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public InvalidSettingException(string message, Exception innerException)
        : base(message, innerException)
    {
        Key = "unknown";
        Problem = message;
    }

    /// <summary>The configuration key at fault.</summary>
    public string Key { get; }

    /// <summary>What is wrong with its value.</summary>
    public string Problem { get; }
}
