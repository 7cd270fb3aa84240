using System.Net.Http.Headers;
using AgentFunctions.Storage.Internal;
using AgentFunctions.Testing;

namespace AgentFunctions.Storage.Tests;

[Collection(AzuriteFixture.Collection)]
public sealed class SharedKeyAuthorizerTests(AzuriteFixture azurite)
{
    private static readonly byte[] _key = Convert.FromBase64String(StorageConnectionString.DevelopmentAccountKey);

    private static HttpRequestMessage VectorRequest()
    {
        var message = new HttpRequestMessage(HttpMethod.Put, "http://127.0.0.1:10000/devstoreaccount1/vectors/a%20b.txt?timeout=30&comp=x")
        {
            Content = new ByteArrayContent("hello world"u8.ToArray()),
        };
        message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/plain; charset=utf-8");
        message.Headers.TryAddWithoutValidation("If-None-Match", "*");
        message.Headers.TryAddWithoutValidation("x-ms-version", "2025-01-05");
        message.Headers.TryAddWithoutValidation("x-ms-date", "Fri, 01 Mar 2024 12:00:00 GMT");
        message.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
        return message;
    }

    [Fact]
    public void BlobQueueStringToSign_KnownRequest_MatchesDocumentedLayout()
    {
        using var message = VectorRequest();
        var authorizer = new SharedKeyAuthorizer("devstoreaccount1", _key);

        var stringToSign = authorizer.BlobQueueStringToSign(message);

        Assert.Equal(
            "PUT\n\n\n11\n\ntext/plain; charset=utf-8\n\n\n\n*\n\n\n"
            + "x-ms-blob-type:BlockBlob\nx-ms-date:Fri, 01 Mar 2024 12:00:00 GMT\nx-ms-version:2025-01-05\n"
            + "/devstoreaccount1/devstoreaccount1/vectors/a%20b.txt\ncomp:x\ntimeout:30",
            stringToSign);
    }

    [Fact]
    public async Task Authorize_KnownRequest_ProducesSignatureComputedIndependently()
    {
        // Expected value computed outside .NET (Python hmac/sha256 over the string above with the emulator key).
        using var message = VectorRequest();
        var authorizer = new SharedKeyAuthorizer("devstoreaccount1", _key);

        await authorizer.AuthorizeAsync(message, StorageService.Blob, CancellationToken.None);

        Assert.Equal(
            "SharedKey devstoreaccount1:T1lrj9de4ofMkgENVFhgTySSFmZPM803kCZm1aTvjY8=",
            Assert.Single(message.Headers.GetValues("Authorization")));
    }

    [Fact]
    public async Task Authorize_TableRequest_UsesTableStringToSign()
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:10002/devstoreaccount1/Tables?$top=5");
        message.Headers.TryAddWithoutValidation("x-ms-date", "Fri, 01 Mar 2024 12:00:00 GMT");
        var authorizer = new SharedKeyAuthorizer("devstoreaccount1", _key);

        await authorizer.AuthorizeAsync(message, StorageService.Table, CancellationToken.None);

        Assert.Equal("GET\n\n\nFri, 01 Mar 2024 12:00:00 GMT\n/devstoreaccount1/devstoreaccount1/Tables", authorizer.TableStringToSign(message));
        Assert.Equal(
            "SharedKey devstoreaccount1:19ZLIyEmAcGiUKD82ZzZ/y2fz8bAnOvk0AuEYEGVYKM=",
            Assert.Single(message.Headers.GetValues("Authorization")));
    }

    [Fact]
    public async Task Azurite_AcceptsSignedRequest_AndRejectsOneTamperedAfterSigning()
    {
        var connection = StorageConnectionString.Parse(azurite.ConnectionString);
        var authorizer = new SharedKeyAuthorizer(connection.AccountName!, connection.AccountKey!);
        using var http = new HttpClient();

        async Task<HttpResponseMessage> SendAsync(bool tamper)
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, new Uri(connection.QueueEndpoint + "?comp=list"));
            message.Headers.TryAddWithoutValidation("x-ms-version", "2025-01-05");
            message.Headers.TryAddWithoutValidation("x-ms-date", DateTimeOffset.UtcNow.ToString("R"));
            await authorizer.AuthorizeAsync(message, StorageService.Queue, CancellationToken.None);
            if (tamper)
            {
                message.Headers.TryAddWithoutValidation("x-ms-client-request-id", "added-after-signing");
            }

            return await http.SendAsync(message);
        }

        using var signed = await SendAsync(tamper: false);
        using var tampered = await SendAsync(tamper: true);

        Assert.Equal(200, (int)signed.StatusCode);
        Assert.Equal(403, (int)tampered.StatusCode);
    }

    [Fact]
    public async Task Client_WithWrongAccountKey_Throws403AuthenticationFailedWithoutRetrying()
    {
        var wrongKey = azurite.ConnectionString.Replace(
            StorageConnectionString.DevelopmentAccountKey, Convert.ToBase64String(new byte[64]), StringComparison.Ordinal);
        using var account = new StorageAccountClient(wrongKey);
        var started = DateTime.UtcNow;

        var ex = await Assert.ThrowsAsync<StorageRequestFailedException>(
            () => account.GetQueueClient("any-queue").CreateIfNotExistsAsync());

        Assert.Equal(403, ex.Status);
        Assert.Contains(ex.ErrorCode, new[] { "AuthenticationFailed", "AuthorizationFailure" });
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }
}
