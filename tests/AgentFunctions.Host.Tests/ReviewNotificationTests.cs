using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using AgentFunctions.Host.Approvals;

namespace AgentFunctions.Host.Tests;

/// <summary>The outgoing "review requested" notification, received by a loopback fake receiver.</summary>
public sealed class ReviewNotificationTests
{
    [Fact]
    public async Task AwaitingApproval_NotifyUrlSet_PostsSignedNotificationWithWorkingLink()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/hook/");
        listener.Start();
        var values = HostProcess.DefaultValues();
        values["AgentFunctions__Review__NotifyUrl"] = $"http://127.0.0.1:{port}/hook/";
        await using var host = await HostProcess.StartAsync(values);

        var id = await HostApi.StartAsync(host.Client, question: "Notify me?");
        var context = await listener.GetContextAsync().WaitAsync(TimeSpan.FromSeconds(30));
        using var buffer = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var signature = context.Request.Headers[WebhookSignature.SignatureHeader];
        var delivery = context.Request.Headers[WebhookSignature.DeliveryHeader];
        context.Response.StatusCode = 204;
        context.Response.Close();

        Assert.Null(WebhookSignature.Verify(signature, body, [HostProcess.WebhookSecret], DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1)));
        Assert.Equal($"review-requested-{id}", delivery);
        var notice = JsonNode.Parse(body)!;
        Assert.Equal(id, notice["instanceId"]!.GetValue<string>());
        Assert.Equal("Notify me?", notice["question"]!.GetValue<string>());
        using var page = await host.Client.GetAsync(new Uri(notice["reviewUrl"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Notify me?", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains($"[InstanceId={id}]", host.Output, StringComparison.Ordinal);
        Assert.Contains($"awaits review: {host.BaseAddress}review/{id}?token=", host.Output, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
