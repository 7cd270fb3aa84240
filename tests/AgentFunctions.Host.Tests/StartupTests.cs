using System.Net;

namespace AgentFunctions.Host.Tests;

/// <summary>Configuration as Core Tools read it, validated at startup; each host here is its own process.</summary>
public sealed class StartupTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("*")]
    [InlineData("[::]")]
    public async Task Start_NonLoopbackUrlWithoutKeys_IsRefused(string host)
    {
        var (exitCode, output) = await HostProcess.RunExpectingExitAsync(args: ["--urls", $"http://{host}:7071"]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("'urls'", output, StringComparison.Ordinal);
        Assert.Contains("without function keys", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NonLoopbackAspNetCoreUrlsWithoutKeys_IsRefused()
    {
        var (exitCode, output) = await HostProcess.RunExpectingExitAsync(
            environment: new Dictionary<string, string> { ["ASPNETCORE_URLS"] = "http://0.0.0.0:7071" }, args: []);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("without function keys", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"hubName\": \"bad-hub\"", "host.json extensions.durableTask.hubName")]
    [InlineData("\"hubName\": \"9Lives\"", "host.json extensions.durableTask.hubName")]
    [InlineData("\"hubName\": \"ab\"", "host.json extensions.durableTask.hubName")]
    [InlineData("\"maxConcurrentActivityFunctions\": 0", "host.json extensions.durableTask.maxConcurrentActivityFunctions")]
    [InlineData("\"storageProvider\": { \"controlQueueBufferThreshold\": 0 }", "host.json extensions.durableTask.storageProvider.controlQueueBufferThreshold")]
    public async Task Start_InvalidDurableTaskSetting_FailsNamingTheKey(string setting, string key)
    {
        var hostJson = $$"""{ "version": "2.0", "extensions": { "durableTask": { {{setting}} } } }""";

        var (exitCode, output) = await HostProcess.RunExpectingExitAsync(hostJson: hostJson);

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"Invalid setting '{key}", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"maxDequeueCount\": 0", "maxDequeueCount")]
    [InlineData("\"messageEncoding\": \"utf16\"", "messageEncoding")]
    [InlineData("\"visibilityTimeout\": \"thirty seconds\"", "visibilityTimeout")]
    [InlineData("\"batchSize\": 64", "batchSize")]
    public async Task Start_InvalidQueuesSetting_FailsNamingTheKey(string setting, string key)
    {
        var hostJson = $$"""{ "version": "2.0", "extensions": { "queues": { {{setting}} } } }""";

        var (exitCode, output) = await HostProcess.RunExpectingExitAsync(hostJson: hostJson);

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"Invalid setting 'host.json extensions.queues.{key}", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AgentFunctions__Callbacks__AllowPrivateNetworks", "sometimes", "Invalid setting 'AgentFunctions:Callbacks:AllowPrivateNetworks': 'sometimes' is not true or false.")]
    [InlineData("AgentFunctions__Callbacks__AllowedHosts", "hooks.example.com,*", "Invalid setting 'AgentFunctions:Callbacks:AllowedHosts': the entry '*'")]
    [InlineData("AgentFunctions__Research__MaxRevisions", "abc", "Invalid setting 'AgentFunctions:Research:MaxRevisions': 'abc' is not a whole number.")]
    [InlineData("AZURE_OPENAI_ENDPOINT", "my-resource", "Invalid setting 'AZURE_OPENAI_ENDPOINT': 'my-resource' is not an absolute https URL.")]
    public async Task Start_InvalidPipelineSetting_Exits2NamingTheKey(string variable, string value, string expected)
    {
        var (exitCode, output) = await HostProcess.RunExpectingExitAsync(
            environment: new Dictionary<string, string> { [variable] = value }, args: []);

        Assert.Equal(2, exitCode);
        Assert.Contains("cannot start. Invalid setting", output, StringComparison.Ordinal);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AZURE_OPENAI_ENDPOINT", "openai.example", "AZURE_OPENAI_ENDPOINT")]
    [InlineData("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com/", "AZURE_OPENAI_DEPLOYMENT")]
    public async Task Start_InvalidModelSetting_FailsNamingTheKey(string variable, string value, string key)
    {
        var (exitCode, output) = await HostProcess.RunExpectingExitAsync(
            environment: new Dictionary<string, string> { [variable] = value }, args: []);

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"cannot start. Invalid setting '{key}'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_HubNameOverriddenByEnvironment_EnvironmentWins()
    {
        // host.json's hub name is valid; the AzureFunctionsJobHost__ variable replaces it with an invalid one.
        var (exitCode, output) = await HostProcess.RunExpectingExitAsync(
            environment: new Dictionary<string, string> { ["AzureFunctionsJobHost__extensions__durableTask__hubName"] = "Env_Hub" });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("'Env_Hub'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_MalformedTimeSpanInValues_FailsNamingTheKey()
    {
        var values = HostProcess.DefaultValues();
        values["AgentFunctions__Review__LinkTtl"] = "a week";

        var (exitCode, output) = await HostProcess.RunExpectingExitAsync(values);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Invalid setting 'AgentFunctions:Review:LinkTtl'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_MalformedAzureWebJobsStorage_FailsNamingTheKeyAndPart()
    {
        var values = HostProcess.DefaultValues();
        values["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=not*base64";

        var (exitCode, output) = await HostProcess.RunExpectingExitAsync(values);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("AzureWebJobsStorage", output, StringComparison.Ordinal);
        Assert.Contains("AccountKey", output, StringComparison.Ordinal);
        Assert.DoesNotContain("not*base64", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_EnvironmentVariableOverValues_EnvironmentWins()
    {
        var values = HostProcess.DefaultValues();
        values["AgentFunctions__Backend"] = "InMemory";

        // The file's value alone would stop the host (the in-memory backend is gone); the environment's wins.
        await using var host = await HostProcess.StartAsync(values, environment: new Dictionary<string, string> { ["AgentFunctions__Backend"] = "AzureStorage" });

        Assert.Contains("on Azure Storage", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NoUrls_ListensOnLocalHttpPortAndPrintsUrl()
    {
        await using var host = await HostProcess.StartOnLocalHttpPortAsync();

        using var response = await host.Client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"AgentFunctions host listening on {host.BaseAddress.ToString().TrimEnd('/')}", host.Output, StringComparison.Ordinal);
        Assert.Contains("loopback only", host.Output, StringComparison.Ordinal);
        Assert.Contains("Durable Task engine started", host.Output, StringComparison.Ordinal);
    }
}
