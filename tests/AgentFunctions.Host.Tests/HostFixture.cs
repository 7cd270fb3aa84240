namespace AgentFunctions.Host.Tests;

/// <summary>One shared host (a task hub of its own on the shared Azurite, webhook and link secrets, no keys) for the end-to-end tests.</summary>
public sealed class HostFixture : IAsyncLifetime
{
    private HostProcess? _host;

    public HostProcess Host => _host ?? throw new InvalidOperationException("The host has not started.");

    public HttpClient Client => Host.Client;

    public async Task InitializeAsync() => _host = await HostProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class HostCollection : ICollectionFixture<HostFixture>
{
    public const string Name = "Running host";
}
