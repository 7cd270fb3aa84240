using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace AgentFunctions.Host.Tests;

/// <summary>A host with keys configured (through local.settings.json Values, comma-separated).</summary>
public sealed partial class FunctionKeyTests : IAsyncLifetime
{
    private const string FunctionKey = "function-key-1";
    private const string SecondFunctionKey = "function-key-2";
    private const string SystemKey = "system-key-1";
    private HostProcess? _host;

    private HttpClient Client => _host!.Client;

    public async Task InitializeAsync()
    {
        var values = HostProcess.DefaultValues();
        values["AgentFunctions__Keys__Function"] = $"{FunctionKey}, {SecondFunctionKey}";
        values["AgentFunctions__Keys__System"] = SystemKey;
        _host = await HostProcess.StartAsync(values);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Submit_WithoutKey_Answers401()
    {
        using var response = await Client.PostAsync(new Uri("/api/research", UriKind.Relative), JsonContent.Create(new { question = "q" }));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData(FunctionKey)]
    [InlineData(SecondFunctionKey)]
    [InlineData(SystemKey)]
    public async Task Submit_WithKeyHeader_Answers202AndLinksCarrySystemKey(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/research") { Content = JsonContent.Create(new { question = "q" }) };
        request.Headers.Add("x-functions-key", key);

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains($"code={SystemKey}", response.Headers.Location!.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_WithCodeQuery_Answers202()
    {
        using var response = await Client.PostAsync(new Uri($"/api/research?code={FunctionKey}", UriKind.Relative), JsonContent.Create(new { question = "q" }));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Management_FunctionKey_Answers401_SystemKey_Answers200()
    {
        using var noKey = await Client.GetAsync(new Uri($"{HostApi.Management}/instances", UriKind.Relative));
        using var functionKey = await Client.GetAsync(new Uri($"{HostApi.Management}/instances?code={FunctionKey}", UriKind.Relative));
        using var systemKey = await Client.GetAsync(new Uri($"{HostApi.Management}/instances?code={SystemKey}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, functionKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, systemKey.StatusCode);
    }

    [Fact]
    public async Task Webhook_NeedsNoKey_OnlyItsSignature()
    {
        using var response = await HostApi.DeliverAsync(Client, "unknown-instance", new { decision = "approve", reviewer = "ada" });

        // Past key checks and the signature check: the instance lookup answers.
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task RunsPage_NeedsKey_ReviewLinkDoesNot()
    {
        using var submit = await Client.PostAsync(new Uri($"/api/research?code={FunctionKey}", UriKind.Relative), JsonContent.Create(new { question = "Keyed run?" }));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);

        using var withoutKey = await Client.GetAsync(new Uri("/", UriKind.Relative));
        using var withKey = await Client.GetAsync(new Uri($"/?code={FunctionKey}", UriKind.Relative));
        var page = await withKey.Content.ReadAsStringAsync();
        var link = ReviewLink().Match(page).Groups[1].Value.Replace("&amp;", "&", StringComparison.Ordinal);
        using var review = await Client.GetAsync(new Uri(link, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, review.StatusCode);
        Assert.Contains("Keyed run?", await review.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthz_IsOpen()
    {
        using var response = await Client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [GeneratedRegex("href=\"(/review/[^\"]+)\"")]
    private static partial Regex ReviewLink();
}
