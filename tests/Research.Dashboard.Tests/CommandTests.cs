using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Research.Core.Csv;

namespace Research.Dashboard.Tests;

/// <summary>`research report --html`, `research serve` and `research run --serve`, run in-process.</summary>
[Collection("finished run")]
public class CommandTests(FinishedRun run)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Research.Cli.Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>Lines written by a command running on another thread, readable while it runs.</summary>
    private sealed class Lines : TextWriter
    {
        private readonly System.Text.StringBuilder _line = new();
        public ConcurrentQueue<string> All { get; } = new();
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_line)
            {
                if (value == '\n')
                {
                    All.Enqueue(_line.ToString());
                    _line.Clear();
                }
                else _line.Append(value);
            }
        }
    }

    [Fact]
    public void ReportHtmlGoesIntoAFinishedRunAndElsewhereWhileARunIsWritten()
    {
        var root = Directory.CreateTempSubdirectory("dash-report-").FullName;
        try
        {
            string dir = run.CopyTo(root, "copy");
            var (code, output, err) = Cli("report", dir, "--html");
            Assert.True(code == 0, err);
            string page = File.ReadAllText(Path.Combine(dir, "report.html"));
            Assert.Contains($"report_html {Path.Combine(dir, "report.html")}", output);
            Assert.Contains("Content-Security-Policy", page);
            Assert.DoesNotContain("<script src=", page);   // every script is in the file
            Assert.DoesNotContain("<link ", page);
            Assert.Contains("plotly.js (cartesian - minified) v4.1.1", page);
            Assert.Contains("\"grid-scatter\"", page);

            // A run whose manifest says a stage runs: not into it, but elsewhere.
            var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")))!;
            manifest["stages"]!["train"]!["status"] = "running";
            File.WriteAllText(Path.Combine(dir, "manifest.json"), manifest.ToJsonString());
            File.Delete(Path.Combine(dir, "report.html"));
            (code, _, err) = Cli("report", dir, "--html");
            Assert.Equal(2, code);
            Assert.Contains("manifest.json says stage train is running", err);
            Assert.Contains("--out", err);
            Assert.False(File.Exists(Path.Combine(dir, "report.html")));
            (code, _, err) = Cli("report", dir, "--html", "--out", Path.Combine(root, "elsewhere", "r.html"));
            Assert.True(code == 0, err);
            Assert.Contains("running: stage train", File.ReadAllText(Path.Combine(root, "elsewhere", "r.html")));

            // A single command's output: `research train --out` before its metrics.json.
            string member = Directory.GetDirectories(Path.Combine(dir, "train")).First(d => File.Exists(Path.Combine(d, "metrics.json")));
            File.Delete(Path.Combine(member, "metrics.json"));
            (code, _, err) = Cli("report", member, "--html");
            Assert.Equal(2, code);
            Assert.Contains("no metrics.json yet", err);

            // Not a run at all.
            (code, _, err) = Cli("report", root, "--html");
            Assert.Equal(2, code);
            Assert.Contains("not a run directory", err);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void ServeRefusesABadFolderOrHost()
    {
        var (code, _, err) = Cli("serve", "/no/such/folder", "--port", "0");
        Assert.Equal(2, code);
        Assert.Contains("/no/such/folder: no such directory", err);
        (code, _, err) = Cli("serve", run.Runs, "--host", "example.org", "--port", "0");
        Assert.Equal(2, code);
        Assert.Contains("--host example.org", err);
    }

    [Fact]
    public async Task RunWithServePrintsTheLiveUrlAndServesWhileItRuns()
    {
        var root = Directory.CreateTempSubdirectory("dash-serve-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "tiny.yaml"), Research.Training.Tests.TinyNet.Yaml);
            string file = Path.Combine(root, "exp.yaml");
            File.WriteAllText(file, """
                name: live
                device: cpu
                dataset: {name: synthetic, subset: 200, validation: 0.2}
                stages:
                  scale: {base: tiny.yaml, coefficients: {alpha: 1.2, beta: 1.1, gamma: 1.0}, phi: [0, 1]}
                  train: {epochs: 3, batch: 40, lr: 0.05}
                  report: {}
                """);
            var output = new Lines();
            var task = Task.Run(() => Research.Cli.Cli.Run(["run", file, "--out", Path.Combine(root, "runs"), "--serve", "--port", "0", "--threads", "1"], output, new StringWriter()));
            string? live = null;
            while (live is null && !task.IsCompleted)
            {
                live = output.All.FirstOrDefault(l => l.StartsWith("live http://127.0.0.1:", StringComparison.Ordinal))?["live ".Length..];
                await Task.Delay(20);
            }
            Assert.NotNull(live);
            var api = new Uri(live.Replace("/run/", "/api/run/").TrimEnd('/'));
            var states = new List<string>();
            while (!task.IsCompleted)
            {
                try
                {
                    var r = await Http.GetAsync(api);
                    if (r.StatusCode == HttpStatusCode.OK) states.Add(JsonNode.Parse(await r.Content.ReadAsStringAsync())!["state"]!["text"]!.GetValue<string>());
                }
                catch (HttpRequestException)
                {
                    // The run ended and took the server with it.
                }
                await Task.Delay(100);
            }
            Assert.Equal(0, await task);
            Assert.Contains(states, s => s.StartsWith("running: stage", StringComparison.Ordinal));
            Assert.Contains(output.All, l => l.StartsWith("serve http://127.0.0.1:", StringComparison.Ordinal));
            // The view stops with the run.
            await Assert.ThrowsAsync<HttpRequestException>(() => Http.GetAsync(api));
            Assert.True(File.Exists(Path.Combine(root, "runs", Path.GetFileName(new Uri(live).AbsolutePath.TrimEnd('/')), "report.html")));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
