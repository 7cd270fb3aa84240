using AgentFunctions.Testing;

namespace AgentFunctions.Durable.AzureStorage.Tests;

/// <summary>Every test class in this collection shares one in-memory Azurite for the run.</summary>
[CollectionDefinition(AzuriteFixture.Collection)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>;
