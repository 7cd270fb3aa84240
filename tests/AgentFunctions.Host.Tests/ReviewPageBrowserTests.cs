using Microsoft.Playwright;

namespace AgentFunctions.Host.Tests;

/// <summary>
/// The review page in a real browser (Debian's chromium driven by Playwright): a reviewer opens the pending
/// run from the runs page through its signed link, reads the draft and a citation, approves, and sees the
/// run complete. No JavaScript of ours runs; the page is plain HTML.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class ReviewPageBrowserTests(HostFixture fixture) : IAsyncLifetime
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: run AGENTFUNCTIONS_NEED_CHROMIUM=1 tools/install.sh (test.sh does).");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>Where the screenshots go: the test output folder, kept as artifacts of the run (not committed).</summary>
    public static string ScreenshotFolder => Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    [Fact]
    public async Task ReviewPage_OpenPendingRunAndApprove_ShowsRunCompleted()
    {
        // A plain question: extra words the corpus does not cover (a random marker) would make an honest "not answered".
        const string question = "How do durable workflow engines use event sourcing and replay?";
        var id = await HostApi.StartAsync(fixture.Client, question: question);
        await HostApi.WaitForPhaseAsync(fixture.Client, id, "AwaitingApproval");
        var draft = (await HostApi.StatusAsync(fixture.Client, id))!["customStatus"]!["draft"]!;
        var firstCitation = draft["citations"]![0]!;
        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { BaseURL = fixture.Host.BaseAddress.ToString(), JavaScriptEnabled = false });
        page.SetDefaultTimeout(15_000);

        // The runs page lists the run with its signed link.
        await page.GotoAsync("/");
        var row = page.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { HasText = id });
        await row.GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = id }).ClickAsync();
        Assert.Contains("token=", page.Url, StringComparison.Ordinal);

        // The pipeline's draft, its [1] marker linked to citation 1, and that citation's title and verbatim quote.
        await Assertions.Expect(page.Locator("#run-status")).ToHaveTextAsync("Running (AwaitingApproval)");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = draft["title"]!.GetValue<string>(), Level = 2, Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#draft-summary a[href='#citation-1']").First).ToHaveTextAsync("[1]");
        var citation = page.Locator("#citation-1");
        await Assertions.Expect(citation.GetByRole(AriaRole.Link)).ToHaveTextAsync(firstCitation["title"]!.GetValue<string>());
        await Assertions.Expect(citation.Locator("blockquote")).ToHaveTextAsync(firstCitation["quote"]!.GetValue<string>());
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new PageGetByRoleOptions { Name = "Sources" })).ToContainTextAsync(firstCitation["title"]!.GetValue<string>());

        // The name is required: the browser refuses to send an anonymous decision.
        var reviewPage = page.Url;
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Approve" }).ClickAsync();
        Assert.Equal(reviewPage, page.Url);
        Assert.Equal(0, await HostApi.CountEventsRaisedAsync(fixture.Client, id));

        await page.GetByLabel("Your name").FillAsync("Grace");
        await page.GetByLabel("Comment (required to ask for a revision)").FillAsync("Approved from the browser.");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Approve" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your decision (approve) was recorded.");

        // The page refreshes itself (meta refresh, no script) until the run has finished.
        await Assertions.Expect(page.Locator("#run-status")).ToHaveTextAsync("Completed", new LocatorAssertionsToHaveTextOptions { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("#run-outcome")).ToHaveTextAsync("Approved");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Approve" })).ToHaveCountAsync(0);
        var status = await HostApi.StatusAsync(fixture.Client, id);
        Assert.Equal("Grace", status!["output"]!["review"]!["reviewer"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(375)]
    [InlineData(1440)]
    public async Task Pages_AtPhoneAndDesktopWidths_NeverScrollSidewaysAndKeepDecisionButtonsOnOneRow(int width)
    {
        // A question with a 90-character "word" is the worst case for a table cell (the planner keeps sub-queries under 200 characters).
        var question = $"Why {new string('w', 90)} and how do durable runs resume after a crash? ({width} {Guid.NewGuid():N})";
        var id = await HostApi.StartAsync(fixture.Client, question: question);
        await HostApi.WaitForPhaseAsync(fixture.Client, id, "AwaitingApproval");
        using (var revise = await HostApi.DeliverAsync(fixture.Client, id, new { decision = "revise", reviewer = "Ada", comment = "Say how long a replay takes, with a source." }))
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, revise.StatusCode);
        }

        await HostApi.WaitForAsync(fixture.Client, id, s => HostApi.Phase(s) == "AwaitingApproval" && s["customStatus"]!["revisions"]!.GetValue<int>() == 1, "second review round");
        await using var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.Host.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);

        // live=off: a page that refreshes itself must not reload while it is measured.
        await page.GotoAsync("/?live=off");
        await AssertFitsAsync(page, width, "runs");
        await page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = id, Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#revision")).ToHaveTextAsync("Draft 2, after 1 revision; 2 revisions left");
        await Assertions.Expect(page.Locator("#revision-history")).ToContainTextAsync("Say how long a replay takes, with a source.");
        await AssertFitsAsync(page, width, "review");
        var boxes = new List<LocatorBoundingBoxResult>();
        foreach (var name in new[] { "Approve", "Revise", "Reject" })
        {
            boxes.Add((await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = name, Exact = true }).BoundingBoxAsync())!);
        }

        Assert.All(boxes, b => Assert.Equal(boxes[0].Y, b.Y, 0.5));
        Assert.True(boxes[2].X + boxes[2].Width <= width, $"Reject ends at {boxes[2].X + boxes[2].Width} px in a {width} px viewport");
        await page.GotoAsync("/ops");
        await Assertions.Expect(page.Locator("#runs-chart")).ToBeVisibleAsync();
        await AssertFitsAsync(page, width, "ops");
    }

    [Fact]
    public async Task ReviewPage_TamperedToken_IsRefused()
    {
        var id = await HostApi.StartAsync(fixture.Client);
        await HostApi.WaitForPhaseAsync(fixture.Client, id, "AwaitingApproval");
        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { BaseURL = fixture.Host.BaseAddress.ToString(), JavaScriptEnabled = false });

        var response = await page.GotoAsync($"/review/{id}?token=9999999999.AAAA");

        Assert.Equal(403, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("invalid or has expired");
    }

    /// <summary>Saves a full-page screenshot, then checks that nothing is wider than the viewport.</summary>
    private static async Task AssertFitsAsync(IPage page, int width, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"{name}-{width}.png"), FullPage = true });
        var widths = await page.EvaluateAsync<int[]>("() => [document.scrollingElement.scrollWidth, window.innerWidth]");
        var (scrollWidth, innerWidth) = (widths[0], widths[1]);
        Assert.True(scrollWidth <= innerWidth, $"The {name} page is {scrollWidth} px wide in a {innerWidth} px viewport ({page.Url}).");
        Assert.Equal(width, innerWidth);
    }
}
