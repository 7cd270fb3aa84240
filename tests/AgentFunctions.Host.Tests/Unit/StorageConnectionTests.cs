using AgentFunctions.Host.Configuration;
using AgentFunctions.Host.Hosting;
using Azure.Identity;
using QueueMessageEncoding = Azure.Storage.Queues.QueueMessageEncoding;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Host.Tests.Unit;

/// <summary>Every form of AzureWebJobsStorage the Functions host accepts, and the mistakes it names.</summary>
public sealed class StorageConnectionTests
{
    // The emulator's published well-known key: not a secret.
    private const string EmulatorKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const string ExplicitAzurite =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + EmulatorKey
        + ";BlobEndpoint=http://127.0.0.1:41000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:41001/devstoreaccount1;TableEndpoint=http://127.0.0.1:41002/devstoreaccount1";

    private const string AzureAccount = "DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=" + EmulatorKey + ";EndpointSuffix=core.windows.net";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("UseDevelopmentStorage=true")]
    public void Resolve_UnsetOrDevelopmentStorage_IsAzuriteOnItsDefaultPorts(string? value)
    {
        var connection = StorageConnection.Resolve(Configuration(("AzureWebJobsStorage", value)));

        Assert.Equal(StorageConnection.DevelopmentStorage, connection.ConnectionString);
        Assert.Null(connection.Credential);
        Assert.True(connection.IsDevelopmentStorage);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), connection.BlobServiceUri);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), connection.QueueServiceUri);
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), connection.TableServiceUri);
    }

    [Fact]
    public void Resolve_ExplicitAzuriteEndpoints_UsesThemForEveryClient()
    {
        var connection = StorageConnection.Resolve(Configuration(("AzureWebJobsStorage", ExplicitAzurite)));

        Assert.Equal(ExplicitAzurite, connection.ConnectionString);
        Assert.True(connection.IsDevelopmentStorage);
        Assert.Equal(41000, connection.BlobServiceUri.Port);
        Assert.Equal(41001, connection.QueueServiceUri.Port);
        Assert.Equal(41002, connection.TableServiceUri.Port);
        Assert.Equal(41000, connection.CreateBlobServiceClient().Uri.Port);
        Assert.Equal(41001, connection.CreateQueueServiceClient(QueueMessageEncoding.Base64).Uri.Port);
        Assert.Equal(41002, connection.CreateTableServiceClient().Uri.Port);
        Assert.DoesNotContain(EmulatorKey, connection.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_AzureConnectionString_DerivesTheServiceEndpoints()
    {
        var connection = StorageConnection.Resolve(Configuration(("AzureWebJobsStorage", AzureAccount)));

        Assert.Equal("contoso", connection.AccountName);
        Assert.False(connection.IsDevelopmentStorage);
        Assert.False(connection.IsIdentityBased);
        Assert.Equal(new Uri("https://contoso.queue.core.windows.net/"), connection.QueueServiceUri);
        Assert.Equal("contoso", connection.CreateTableServiceClient().AccountName);
    }

    [Fact]
    public void Resolve_AccountName_IsIdentityBasedOnTheAccountsEndpointsWithDefaultAzureCredential()
    {
        var connection = StorageConnection.Resolve(Configuration(("AzureWebJobsStorage:accountName", "contoso")));

        Assert.Null(connection.ConnectionString);
        Assert.True(connection.IsIdentityBased);
        Assert.IsType<DefaultAzureCredential>(connection.Credential);
        Assert.Equal(new Uri("https://contoso.blob.core.windows.net/"), connection.BlobServiceUri);
        Assert.Equal(new Uri("https://contoso.queue.core.windows.net/"), connection.QueueServiceUri);
        Assert.Equal(new Uri("https://contoso.table.core.windows.net/"), connection.TableServiceUri);
        Assert.Equal(connection.QueueServiceUri, connection.CreateQueueServiceClient(QueueMessageEncoding.None).Uri);
        Assert.Equal(connection.TableServiceUri, connection.CreateTableServiceClient().Uri);
        Assert.Equal(connection.BlobServiceUri, connection.CreateBlobServiceClient().Uri);
    }

    [Theory]
    [InlineData(null, "system-assigned")]
    [InlineData("0f2c1a55-7d3e-4c2b-9a61-3f1d2b4c5e6f", "user-assigned managed identity 0f2c1a55")]
    public void Resolve_CredentialManagedIdentity_UsesManagedIdentityCredential(string? clientId, string described)
    {
        var connection = StorageConnection.Resolve(Configuration(
            ("AzureWebJobsStorage:accountName", "contoso"), ("AzureWebJobsStorage:credential", "managedidentity"), ("AzureWebJobsStorage:clientId", clientId)));

        Assert.IsType<ManagedIdentityCredential>(connection.Credential);
        Assert.Contains(described, connection.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ClientIdWithoutCredential_IsDefaultAzureCredentialForThatIdentity()
    {
        var connection = StorageConnection.Resolve(Configuration(
            ("AzureWebJobsStorage:accountName", "contoso"), ("AzureWebJobsStorage:clientId", "0f2c1a55-7d3e-4c2b-9a61-3f1d2b4c5e6f")));

        Assert.IsType<DefaultAzureCredential>(connection.Credential);
        Assert.Contains("managed identity 0f2c1a55-7d3e-4c2b-9a61-3f1d2b4c5e6f", connection.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ThreeServiceUris_UsesThemWithoutAnAccountName()
    {
        var connection = StorageConnection.Resolve(Configuration(
            ("AzureWebJobsStorage:blobServiceUri", "https://blobs.example.net/"),
            ("AzureWebJobsStorage:queueServiceUri", "https://queues.example.net/"),
            ("AzureWebJobsStorage:tableServiceUri", "https://tables.example.net/")));

        Assert.True(connection.IsIdentityBased);
        Assert.Equal(new Uri("https://blobs.example.net/"), connection.BlobServiceUri);
        Assert.Equal(new Uri("https://queues.example.net/"), connection.CreateQueueServiceClient(QueueMessageEncoding.Base64).Uri);
        Assert.Equal(new Uri("https://tables.example.net/"), connection.CreateTableServiceClient().Uri);
    }

    [Fact]
    public void Resolve_AccountNameAndOneServiceUri_TheUriWinsForItsService()
    {
        var connection = StorageConnection.Resolve(Configuration(
            ("AzureWebJobsStorage:accountName", "contoso"), ("AzureWebJobsStorage:queueServiceUri", "https://queues.example.net/")));

        Assert.Equal(new Uri("https://queues.example.net/"), connection.QueueServiceUri);
        Assert.Equal(new Uri("https://contoso.table.core.windows.net/"), connection.TableServiceUri);
    }

    [Theory]
    [InlineData("AzureWebJobsStorage:queueServiceUri", "https://queues.example.net/", "AzureWebJobsStorage__blobServiceUri")]
    [InlineData("AzureWebJobsStorage:accountName", "Not_An_Account", "AzureWebJobsStorage__accountName")]
    [InlineData("AzureWebJobsStorage:blobServiceUri", "http://plain.example.net/", "AzureWebJobsStorage__blobServiceUri")]
    [InlineData("AzureWebJobsStorage:credential", "password", "AzureWebJobsStorage__credential")]
    [InlineData("AzureWebJobsStorage:clientId", "my-identity", "AzureWebJobsStorage__clientId")]
    public void Resolve_BadIdentitySetting_FailsNamingTheKey(string key, string value, string named)
    {
        var values = new List<(string, string?)> { (key, value) };
        if (key is "AzureWebJobsStorage:credential" or "AzureWebJobsStorage:clientId" or "AzureWebJobsStorage:blobServiceUri")
        {
            values.Add(("AzureWebJobsStorage:accountName", "contoso"));
        }

        var ex = Assert.Throws<HostConfigurationException>(() => StorageConnection.Resolve(Configuration([.. values])));

        Assert.Equal(named, ex.Key);
        Assert.StartsWith($"Invalid setting '{named}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=not*base64", "AccountKey")]
    [InlineData("just some text", "Name=value")]
    [InlineData("UseDevelopmentStorage=false", "UseDevelopmentStorage")]
    [InlineData("DefaultEndpointsProtocol=http;AccountName=a;AccountKey=" + EmulatorKey + ";QueueEndpoint=not a url", "QueueEndpoint")]
    [InlineData("AccountName=acct", "Azure SDK")]
    public void Resolve_MalformedConnectionString_FailsNamingTheKeyAndPartWithoutTheSecret(string value, string part)
    {
        var ex = Assert.Throws<HostConfigurationException>(() => StorageConnection.Resolve(Configuration(("AzureWebJobsStorage", value))));

        Assert.Equal("AzureWebJobsStorage", ex.Key);
        Assert.StartsWith("Invalid setting 'AzureWebJobsStorage'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(part, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not*base64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ConnectionStringAndAccountName_FailsNamingBoth()
    {
        var ex = Assert.Throws<HostConfigurationException>(() => StorageConnection.Resolve(Configuration(
            ("AzureWebJobsStorage", "UseDevelopmentStorage=true"), ("AzureWebJobsStorage:accountName", "contoso"))));

        Assert.Equal("AzureWebJobsStorage", ex.Key);
        Assert.Contains("AzureWebJobsStorage__accountName", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_DoubleUnderscoreEnvironmentVariables_AreReadAsTheFunctionsHostReadsThem()
    {
        // A prefix of its own keeps the variables away from every other test in the process.
        var prefix = $"AFTEST{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "AzureWebJobsStorage__accountName", "fromenv");
        Environment.SetEnvironmentVariable(prefix + "AzureWebJobsStorage__credential", "managedidentity");
        try
        {
            var connection = StorageConnection.Resolve(new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build());

            Assert.Equal("fromenv", connection.AccountName);
            Assert.IsType<ManagedIdentityCredential>(connection.Credential);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "AzureWebJobsStorage__accountName", null);
            Environment.SetEnvironmentVariable(prefix + "AzureWebJobsStorage__credential", null);
        }
    }

    private static IConfiguration Configuration(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
