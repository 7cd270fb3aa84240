using AgentFunctions.Testing;

namespace AgentFunctions.Host.Tests;

/// <summary>Host tests on Azure Storage share one in-memory Azurite and run one after another (one queue trigger at a time).</summary>
[CollectionDefinition(AzuriteFixture.Collection)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>;
