using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;
using Research.Core.Csv;
using Research.Experiments.Reports.Html;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Research.Dashboard.Tests;

/// <summary>The report and the live view in a real browser (Debian's chromium): charts drawn, tables sorted, live rows, offline report.html.</summary>
[Collection("finished run")]
public class BrowserTests(FinishedRun run, Browser browser) : IClassFixture<Browser>
{
    private readonly Browser _browser = browser;

    /// <summary>How much of a screenshot is not the page's background: a blank page is ~0.</summary>
    private static double Drawn(byte[] png)
    {
        using var image = Image.Load<Rgba32>(png);
        long ink = 0;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
                foreach (var p in rows.GetRowSpan(y))
                    if (Math.Abs(p.R - 250) + Math.Abs(p.G - 250) + Math.Abs(p.B - 250) > 30 && !(p.R == 255 && p.G == 255 && p.B == 255)) ink++;
        });
        return ink / (double)(image.Width * image.Height);
    }

    private static async Task ChartsDrawn(IPage page, params string[] blocks)
    {
        foreach (var id in blocks)
        {
            var svg = page.Locator($"#blk-{id} .plot .main-svg").First;
            await svg.WaitForAsync(new LocatorWaitForOptions { Timeout = 20000 });
            // plotly.js drew data: at least one trace group with a path or point in it.
            Assert.True(await page.Locator($"#blk-{id} .plot .scatterlayer .trace").CountAsync() > 0, $"{id}: no traces drawn");
        }
    }

    [BrowserFact]
    public async Task TheRunsReportDrawsItsChartsAndCellsAndSortsItsTables()
    {
        await using var server = await DashboardServer.StartAsync(run.Runs, "127.0.0.1", 0);
        var page = await _browser.NewPage();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(server.RunUrl(run.RunDir).ToString());
        await ChartsDrawn(page, "family-chart", "grid-scatter", "alphas-normal", "alphas-reduce", "darts-progress", "darts-entropy", "train-accuracy", "train-loss", "grid-curves");
        Assert.Equal(2, await page.Locator("#blk-cells svg.cell").CountAsync());
        Assert.Equal(4, await page.Locator("#blk-cells svg.cell").First.Locator("path.edge[data-op]").CountAsync()); // 2 nodes × 2 edges
        Assert.Contains("dashboard test run", await page.TitleAsync());
        var shot = await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true });
        Assert.True(Drawn(shot) > 0.05, $"the screenshot is nearly blank ({Drawn(shot):P1} drawn)");

        // Sorting: the grid's candidates by held-out accuracy, best first, then reversed.
        var header = page.Locator("#grid-table th", new PageLocatorOptions { HasTextString = "acc_mean" });
        int col = await header.EvaluateAsync<int>("th => th.cellIndex");
        async Task<double[]> Column() => (await page.Locator($"#grid-table tbody tr td:nth-child({col + 1})").AllInnerTextsAsync())
            .Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var before = await Column();
        await header.ClickAsync();
        Assert.Equal("descending", await header.GetAttributeAsync("aria-sort"));
        Assert.Equal(before.OrderByDescending(v => v), await Column());
        await header.ClickAsync();
        Assert.Equal("ascending", await header.GetAttributeAsync("aria-sort"));
        Assert.Equal(before.Order(), await Column());
        Assert.Empty(errors);
    }

    [BrowserFact]
    public async Task ANewEpochRowAppearsWithoutReloading()
    {
        var root = Directory.CreateTempSubdirectory("dash-live-").FullName;
        try
        {
            // A training run being written: the first epoch of a member's history, the others to come.
            string member = Directory.GetDirectories(Path.Combine(run.RunDir, "train")).First(d => File.Exists(Path.Combine(d, "history.csv")));
            string live = Path.Combine(root, "live");
            Directory.CreateDirectory(live);
            var history = CsvTable.Read(Path.Combine(member, "history.csv"));
            var header = File.ReadLines(Path.Combine(member, "history.csv")).First().Split(',');
            void WriteEpochs(int n) => CsvTable.Write(Path.Combine(live, "history.csv"), header, history.Take(n).Select(r => header.Select(h => (string?)r[h]).ToArray()));
            File.Copy(Path.Combine(member, "train.json"), Path.Combine(live, "train.json"));
            WriteEpochs(1);

            await using var server = await DashboardServer.StartAsync(root, "127.0.0.1", 0);
            var page = await _browser.NewPage();
            await page.GotoAsync(new Uri(server.Url, "run/live/").ToString());
            await page.Locator("#history-table tbody tr").First.WaitForAsync();
            Assert.Equal(1, await page.Locator("#history-table tbody tr").CountAsync());
            Assert.Contains("running, or stopped", await page.Locator("#state").InnerTextAsync());
            await page.EvaluateAsync("() => { window.notReloaded = true; }");
            await ChartsDrawn(page, "train-accuracy");
            int pointsBefore = await page.Locator("#blk-train-accuracy .scatterlayer .trace .point").CountAsync();

            var clock = Stopwatch.StartNew();
            WriteEpochs(2);
            await page.Locator("#history-table tbody tr").Nth(1).WaitForAsync(new LocatorWaitForOptions { Timeout = 15000 });
            double seconds = clock.Elapsed.TotalSeconds;
            Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page was reloaded");
            Assert.Equal(2, await page.Locator("#history-table tbody tr").CountAsync());
            Assert.True(await page.Locator("#blk-train-accuracy .scatterlayer .trace .point").CountAsync() > pointsBefore, "the chart did not gain the epoch");
            // Polled each second: the row shows within about a second (generous here: the machine is shared).
            Assert.InRange(seconds, 0, 10);
            Console.WriteLine($"live_update_seconds {seconds.ToString("F2", CultureInfo.InvariantCulture)}");

            // The run finishes: metrics.json appears and the status follows.
            File.Copy(Path.Combine(member, "metrics.json"), Path.Combine(live, "metrics.json"));
            await page.WaitForFunctionAsync("() => document.getElementById('state').textContent.includes('done')", null, new PageWaitForFunctionOptions { Timeout = 15000 });
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [BrowserFact]
    public async Task APathOutsideTheFolderIsRefusedInTheBrowser()
    {
        await using var server = await DashboardServer.StartAsync(run.Runs, "127.0.0.1", 0);
        var page = await _browser.NewPage();
        var response = await page.GotoAsync(new Uri(server.Url, "run/..%2F..%2F..%2Fetc/").ToString());
        Assert.Equal(403, response!.Status);
        Assert.Contains("refused", await page.InnerTextAsync("body"));
        response = await page.GotoAsync(new Uri(server.Url, "files/..%2Fexp.yaml").ToString());
        Assert.Equal(403, response!.Status);
    }

    [BrowserFact]
    public async Task ReportHtmlOpensOfflineAndRequestsNothing()
    {
        var root = Directory.CreateTempSubdirectory("dash-offline-").FullName;
        try
        {
            string file = HtmlReport.Write(run.RunDir, Path.Combine(root, "report.html"));
            var page = await _browser.NewPage();
            var requests = new List<string>();
            page.Request += (_, r) => requests.Add(r.Url);
            // Anything but the file itself would fail here: the network is cut.
            await page.Context.SetOfflineAsync(true);
            await page.GotoAsync(new Uri(file).AbsoluteUri);
            await ChartsDrawn(page, "family-chart", "grid-scatter", "alphas-normal", "train-accuracy");
            Assert.Equal([new Uri(file).AbsoluteUri], requests.Where(u => !u.StartsWith("data:", StringComparison.Ordinal)).ToList());
            Assert.True(Drawn(await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true })) > 0.05);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
