using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Research.Experiments.Reports.Html;

namespace Research.Dashboard.Tests;

/// <summary>`research serve` over HTTP: the run list, a run's model, what is missing, what is refused, and that it writes nothing.</summary>
[Collection("finished run")]
public class DashboardHttpTests(FinishedRun run)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Every file under a folder with its size and time: what a server that writes nothing leaves as it was.</summary>
    private static Dictionary<string, (long, DateTime)> Files(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(f => f, f => (new FileInfo(f).Length, File.GetLastWriteTimeUtc(f)));

    /// <summary>A request sent byte for byte (HttpClient would remove the dot segments before sending).</summary>
    private static async Task<string> Raw(Uri server, string target)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: {server.Host}\r\nConnection: close\r\n\r\n"));
        return await new StreamReader(stream).ReadToEndAsync();
    }

    [Fact]
    public async Task TheListAndAReportComeFromTheRunsFilesAndNothingIsWritten()
    {
        var before = Files(run.Runs);
        await using var server = await DashboardServer.StartAsync(run.Runs, "127.0.0.1", 0);
        Assert.Equal("127.0.0.1", server.Url.Host);

        var index = JsonNode.Parse(await Http.GetStringAsync(new Uri(server.Url, "api/runs")))!;
        string list = index["sections"]![0]!["blocks"]![0]!["html"]!.GetValue<string>();
        string name = Path.GetFileName(run.RunDir);
        Assert.Contains($"href=\"/run/{name}/\"", list);
        Assert.Contains("done (4/4 stages done)", list);

        var page = await Http.GetStringAsync(server.RunUrl(run.RunDir));
        Assert.Contains("<script src=\"/assets/plotly-cartesian.min.js\"></script>", page);
        Assert.Contains($"data-live=\"/api/run/{name}\"", page);

        var response = await Http.GetAsync(new Uri(server.Url, $"api/run/{name}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var etag = response.Headers.ETag!.Tag;
        var model = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("dashboard test run", model["title"]!.GetValue<string>());
        Assert.Equal("done", model["state"]!["state"]!.GetValue<string>());
        var blocks = model["sections"]!.AsArray().SelectMany(s => s!["blocks"]!.AsArray()).ToDictionary(b => b!["id"]!.GetValue<string>(), b => b!);
        foreach (var id in new[] { "cells", "darts-progress", "darts-entropy", "alphas-normal", "alphas-reduce", "grid-scatter", "grid-table", "grid-curves",
                     "family-chart", "family-table", "train-loss", "train-accuracy", "stages", "manifest" })
            Assert.True(blocks.ContainsKey(id), $"no block {id}: {string.Join(", ", blocks.Keys)}");
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(blocks["cells"]["html"]!.GetValue<string>(), "<svg ").Count);
        // The family chart: two members joined by a line, the baseline apart.
        var family = blocks["family-chart"]["figure"]!["data"]!.AsArray();
        Assert.Equal(2, family[0]!["x"]!.AsArray().Count);
        Assert.Equal("tiny", family[1]!["text"]![0]!.GetValue<string>());

        // A poll that finds nothing new: 304.
        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri(server.Url, $"api/run/{name}"));
        again.Headers.IfNoneMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue(etag));
        Assert.Equal(HttpStatusCode.NotModified, (await Http.SendAsync(again)).StatusCode);

        // Files and assets.
        var manifest = await Http.GetStringAsync(new Uri(server.Url, $"files/{name}/manifest.json"));
        Assert.Contains("\"hash\"", manifest);
        Assert.Contains("Plotly", await Http.GetStringAsync(new Uri(server.Url, "assets/plotly-cartesian.min.js")));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await Http.PostAsync(server.Url, new StringContent(""))).StatusCode);

        Assert.Equal(before, Files(run.Runs));
    }

    [Fact]
    public async Task TwoRunsAreComparedOnOneChartAndInOneTable()
    {
        var root = Directory.CreateTempSubdirectory("dash-compare-").FullName;
        try
        {
            run.CopyTo(root, "a");
            run.CopyTo(root, "b");
            await using var server = await DashboardServer.StartAsync(root, "127.0.0.1", 0);
            var model = JsonNode.Parse(await Http.GetStringAsync(new Uri(server.Url, "api/compare?run=a&run=b")))!;
            var blocks = model["sections"]!.AsArray().SelectMany(s => s!["blocks"]!.AsArray()).ToDictionary(b => b!["id"]!.GetValue<string>(), b => b!);
            var traces = blocks["compare-family"]["figure"]!["data"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToList();
            Assert.Equal(["a: family (compound scaling)", "a: baselines", "b: family (compound scaling)", "b: baselines"], traces);
            var table = blocks["compare-family-table"]["html"]!.GetValue<string>();
            Assert.Equal(3 * 2, System.Text.RegularExpressions.Regex.Matches(table, "<tr><td>[ab]</td>").Count); // two members and a baseline each
            Assert.Contains("compare-curves", blocks.Keys);
            Assert.Contains("compare-entropy", blocks.Keys);
            Assert.Contains("<html", await Http.GetStringAsync(new Uri(server.Url, "compare?run=a&run=b")));
            var one = JsonNode.Parse(await Http.GetStringAsync(new Uri(server.Url, "api/compare?run=a")))!;
            Assert.Contains(one["notes"]!.AsArray(), n => n!.GetValue<string>().StartsWith("tick two or more runs", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public async Task PathsOutsideTheFolderAreRefused()
    {
        var outside = Directory.CreateTempSubdirectory("dash-outside-").FullName;
        var root = Directory.CreateTempSubdirectory("dash-root-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(outside, "secret.txt"), "secret");
            File.Copy(Path.Combine(run.RunDir, "manifest.json"), Path.Combine(outside, "manifest.json"));
            Directory.CreateDirectory(Path.Combine(root, "real"));
            File.WriteAllText(Path.Combine(root, "real", "ok.txt"), "ok");
            File.CreateSymbolicLink(Path.Combine(root, "link-out.txt"), Path.Combine(outside, "secret.txt"));
            Directory.CreateSymbolicLink(Path.Combine(root, "dir-out"), outside);
            Directory.CreateSymbolicLink(Path.Combine(root, "dir-in"), Path.Combine(root, "real"));
            await using var server = await DashboardServer.StartAsync(root, "127.0.0.1", 0);

            Assert.Equal("ok", await Http.GetStringAsync(new Uri(server.Url, "files/real/ok.txt")));
            Assert.Equal("ok", await Http.GetStringAsync(new Uri(server.Url, "files/dir-in/ok.txt"))); // a link that stays inside
            foreach (var target in new[] { "files/..%2Fsecret.txt", "files/link-out.txt", "files/dir-out/secret.txt", "run/dir-out/", "api/run/dir-out",
                         "files/real%2F..%2F..%2Fetc%2Fpasswd", "files/%2Fetc%2Fpasswd", "compare?run=dir-out&run=real", "api/run/..%2F.." })
            {
                var r = await Http.GetAsync(new Uri(server.Url, target));
                Assert.True(r.StatusCode == HttpStatusCode.Forbidden, $"{target}: {r.StatusCode}");
                Assert.Contains("refused", await r.Content.ReadAsStringAsync());
            }
            // Sent as they are, dot segments never reach a file outside: Kestrel removes them, and the rest is not found.
            foreach (var target in new[] { "/files/../../../../etc/passwd", "/run/../../etc/" })
            {
                var answer = await Raw(server.Url, target);
                Assert.DoesNotContain("root:", answer);
                Assert.Matches("^HTTP/1.1 (403|404)", answer);
            }
            Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(new Uri(server.Url, "run/no-such-run/"))).StatusCode);
        }
        finally
        {
            Directory.Delete(root, true);
            Directory.Delete(outside, true);
        }
    }

    [Fact]
    public async Task DamagedAndMissingFilesAreNamedAndTheServerGoesOn()
    {
        var root = Directory.CreateTempSubdirectory("dash-damaged-").FullName;
        try
        {
            string dir = run.CopyTo(root, "damaged");
            // Truncated by hand in the middle of a row, a genotype gone, a JSON file cut short, a CSV emptied.
            var alphas = File.ReadAllText(Path.Combine(dir, "darts", "alphas.csv"));
            File.WriteAllText(Path.Combine(dir, "darts", "alphas.csv"), alphas[..(alphas.Length * 2 / 3)]);
            File.Delete(Path.Combine(dir, "darts", "genotype.json"));
            var best = File.ReadAllText(Path.Combine(dir, "grid", "best.json"));
            File.WriteAllText(Path.Combine(dir, "grid", "best.json"), best[..(best.Length / 2)]);
            File.WriteAllText(Path.Combine(dir, "train", "family.csv"), "");
            var before = Files(root);
            await using var server = await DashboardServer.StartAsync(root, "127.0.0.1", 0);

            var model = JsonNode.Parse(await Http.GetStringAsync(new Uri(server.Url, "api/run/damaged")))!;
            var notes = model["notes"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
            Assert.Contains(notes, n => n.StartsWith("darts/alphas.csv: the last line is incomplete", StringComparison.Ordinal));
            Assert.Contains(notes, n => n.StartsWith("darts/genotype.json: the searched cell is missing, though the stage is done", StringComparison.Ordinal));
            Assert.Contains(notes, n => n.StartsWith("grid/best.json: not readable as JSON", StringComparison.Ordinal));
            Assert.Contains(notes, n => n.StartsWith("train/family.csv: empty", StringComparison.Ordinal));
            var blocks = model["sections"]!.AsArray().SelectMany(s => s!["blocks"]!.AsArray()).Select(b => b!["id"]!.GetValue<string>()).ToList();
            Assert.Contains("alphas-normal", blocks);   // the whole rows are still drawn
            Assert.Contains("cells", blocks);           // from darts_epochs.csv's last genotype
            Assert.Contains("family-chart", blocks);    // from the members' metrics.json

            // A file replaced, then removed, while the server reads: it keeps answering.
            for (int i = 0; i < 20; i++)
            {
                File.WriteAllText(Path.Combine(dir, "darts", "darts_epochs.csv"), i % 2 == 0 ? "epoch,train_loss\n1,0.5\n2," : "");
                Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(new Uri(server.Url, "api/run/damaged"))).StatusCode);
            }
            File.Delete(Path.Combine(dir, "darts", "darts_epochs.csv"));
            Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(new Uri(server.Url, "api/run/damaged"))).StatusCode);
            Directory.Delete(Path.Combine(dir, "darts"), recursive: true);
            Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(new Uri(server.Url, "api/run/damaged"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(server.Url)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(new Uri(server.Url, "api/run/unknown"))).StatusCode);
            Assert.Equal(before.Keys.Where(k => !k.Contains("/darts/")).Order(), Files(root).Keys.Order());
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
