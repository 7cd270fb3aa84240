using System.Text;
using AgentFunctions.Storage.Blobs;
using AgentFunctions.Testing;

namespace AgentFunctions.Storage.Tests;

[Collection(AzuriteFixture.Collection)]
public sealed class BlobClientTests(AzuriteFixture azurite) : IDisposable
{
    private readonly StorageAccountClient _account = new(azurite.ConnectionString);

    public void Dispose() => _account.Dispose();

    private async Task<BlobContainerClient> NewContainerAsync()
    {
        var container = _account.GetBlobContainerClient(AzuriteFixture.UniqueName("c-"));
        Assert.True(await container.CreateIfNotExistsAsync());
        return container;
    }

    [Fact]
    public async Task UploadThenDownload_Bytes_RoundTripsContentAndETag()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("dir/sub dir/payload #1.bin");
        var content = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();

        var info = await blob.UploadAsync(content);
        var download = await blob.DownloadAsync();

        Assert.Equal(content, download.Content.ToArray());
        Assert.Equal(info.ETag, download.ETag);
        Assert.Equal(content.Length, download.Properties.ContentLength);
    }

    [Fact]
    public async Task Upload_StringAndStream_RoundTrip()
    {
        var container = await NewContainerAsync();
        await container.GetBlobClient("text").UploadAsync("héllo");
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("from a stream"));
        await container.GetBlobClient("stream").UploadAsync(stream);

        var text = await container.GetBlobClient("text").DownloadAsync();
        var fromStream = await container.GetBlobClient("stream").DownloadAsync();

        Assert.Equal("héllo", text.Content.ToString());
        Assert.Equal("from a stream", fromStream.Content.ToString());
    }

    [Fact]
    public async Task Upload_IfNotExistsTwice_SecondFailsWith409BlobAlreadyExists()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("once");
        await blob.UploadAsync("first", BlobRequestConditions.IfNotExists);

        var ex = await Assert.ThrowsAsync<StorageRequestFailedException>(() => blob.UploadAsync("second", BlobRequestConditions.IfNotExists));

        Assert.Equal(409, ex.Status);
        Assert.Equal("BlobAlreadyExists", ex.ErrorCode);
        Assert.Equal("first", (await blob.DownloadAsync()).Content.ToString());
    }

    [Fact]
    public async Task Upload_WithStaleIfMatch_Fails412ConditionNotMet()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("etag");
        var first = await blob.UploadAsync("v1");
        var second = await blob.UploadAsync("v2", new BlobRequestConditions { IfMatch = first.ETag });

        var ex = await Assert.ThrowsAsync<StorageRequestFailedException>(
            () => blob.UploadAsync("v3", new BlobRequestConditions { IfMatch = first.ETag }));

        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal(412, ex.Status);
        Assert.Equal("ConditionNotMet", ex.ErrorCode);
        Assert.Equal("v2", (await blob.DownloadAsync()).Content.ToString());
    }

    [Fact]
    public async Task Download_Missing_Throws404OrReturnsNull()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("absent");

        var ex = await Assert.ThrowsAsync<StorageRequestFailedException>(() => blob.DownloadAsync());
        var maybe = await blob.DownloadIfExistsAsync();
        var properties = await blob.GetPropertiesAsync();

        Assert.Equal(404, ex.Status);
        Assert.Equal("BlobNotFound", ex.ErrorCode);
        Assert.Null(maybe);
        Assert.Null(properties);
    }

    [Fact]
    public async Task Delete_WithStaleETag_Fails412ThenSucceedsWithCurrent()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("del");
        var first = await blob.UploadAsync("v1");
        var second = await blob.UploadAsync("v2");

        var ex = await Assert.ThrowsAsync<StorageRequestFailedException>(() => blob.DeleteAsync(new BlobRequestConditions { IfMatch = first.ETag }));
        await blob.DeleteAsync(new BlobRequestConditions { IfMatch = second.ETag });

        Assert.Equal(412, ex.Status);
        Assert.False(await blob.DeleteIfExistsAsync());
    }

    [Fact]
    public async Task ListBlobs_ByPrefixAcrossPages_ReturnsEveryMatchInOrder()
    {
        var container = await NewContainerAsync();
        for (var i = 0; i < 7; i++)
        {
            await container.GetBlobClient($"hub/item-{i}").UploadAsync($"{i}");
        }

        await container.GetBlobClient("other/x").UploadAsync("x");

        var first = await container.ListBlobsPageAsync("hub/", pageSize: 3);
        var all = new List<BlobItem>();
        await foreach (var item in container.ListBlobsAsync("hub/"))
        {
            all.Add(item);
        }

        Assert.Equal(3, first.Blobs.Count);
        Assert.NotNull(first.ContinuationToken);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"hub/item-{i}"), all.Select(b => b.Name));
    }

    [Fact]
    public async Task Lease_AcquireRenewRelease_SecondAcquireFailsWith409LeaseAlreadyPresent()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("lease");
        await blob.UploadAsync("owner");
        var mine = blob.GetLeaseClient();
        var theirs = blob.GetLeaseClient();

        var leaseId = await mine.AcquireAsync(TimeSpan.FromSeconds(15));
        var conflict = await Assert.ThrowsAsync<StorageRequestFailedException>(() => theirs.AcquireAsync(TimeSpan.FromSeconds(15)));
        await mine.RenewAsync();
        await mine.ReleaseAsync();
        var taken = await theirs.AcquireAsync(BlobLeaseClient.InfiniteDuration);

        Assert.Equal(mine.LeaseId, leaseId);
        Assert.Equal(409, conflict.Status);
        Assert.Equal("LeaseAlreadyPresent", conflict.ErrorCode);
        Assert.Equal(theirs.LeaseId, taken);
    }

    [Fact]
    public async Task Upload_LeasedBlob_NeedsTheLeaseId()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("leased-write");
        await blob.UploadAsync("v1");
        var lease = blob.GetLeaseClient();
        await lease.AcquireAsync(TimeSpan.FromSeconds(60));

        var ex = await Assert.ThrowsAsync<StorageRequestFailedException>(() => blob.UploadAsync("intruder"));
        await blob.UploadAsync("v2", new BlobRequestConditions { LeaseId = lease.LeaseId });

        Assert.Equal(412, ex.Status);
        Assert.Equal("LeaseIdMissing", ex.ErrorCode);
        Assert.Equal("v2", (await blob.DownloadAsync(new BlobRequestConditions { LeaseId = lease.LeaseId })).Content.ToString());
    }

    [Fact]
    public async Task Lease_ChangeAndBreak_NewIdWorksAndBreakFreesTheBlob()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("lease-change");
        await blob.UploadAsync("x");
        var lease = blob.GetLeaseClient();
        await lease.AcquireAsync(BlobLeaseClient.InfiniteDuration);
        var newId = Guid.NewGuid().ToString();

        var changed = await lease.ChangeAsync(newId);
        await lease.RenewAsync();
        var remaining = await blob.GetLeaseClient().BreakAsync(TimeSpan.Zero);
        var next = await blob.GetLeaseClient().AcquireAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(newId, changed);
        Assert.Equal(TimeSpan.Zero, remaining);
        Assert.NotEqual(newId, next);
    }

    [Fact]
    public void GetContainerClient_InvalidName_ThrowsWithTheRule()
    {
        var ex = Assert.Throws<ArgumentException>(() => _account.GetBlobContainerClient("Bad--Name"));

        Assert.Contains("lowercase", ex.Message, StringComparison.Ordinal);
    }
}
