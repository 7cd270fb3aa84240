namespace AgentFunctions.Durable.Execution;

/// <summary>A service provider with no services, for workers built without dependency injection.</summary>
internal sealed class EmptyServiceProvider : IServiceProvider
{
    public static readonly EmptyServiceProvider Instance = new();

    public object? GetService(Type serviceType) => null;
}
