using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Research.Core.Csv;
using Research.Core.IO;
using Research.Torch;
using Research.Torch.IO;

namespace Research.Cli.Tests;

/// <summary>
/// `research launch` with two real ranks (processes, Gloo over loopback, one libtorch thread each)
/// against the same command in one process: data-parallel training with --sync-bn, a sharded grid
/// search, the experiment's train stage, and a rank killed mid-epoch.
/// </summary>
[Collection("CLI training")]
public class DistributedCommandTests
{
    private static readonly string Exe = Path.Combine(AppContext.BaseDirectory, "research");

    /// <summary>A small network with batch norm and no dropout or drop-connect (so one process and two ranks draw nothing differently).</summary>
    private const string SpecYaml = """
        name: bn-net
        in_channels: 1
        classes: 10
        resolution: 28
        stem: cn_r1_k3_s2_c8_arelu
        stages:
          - [ir_r1_k3_s2_e2_c16_arelu]
          - [ir_r1_k3_s2_e2_c24_arelu]
        head: {conv: 32, conv_act: relu, dropout: 0}
        """;

    private static string Root() => Directory.CreateTempSubdirectory("research-dist-").FullName;

    /// <summary>Runs the CLI binary as a process (the launcher starts more of them).</summary>
    private static (int Code, string Out, string Err) Process(string[] args, TimeSpan? timeout = null, Action<Process, StringWriter>? watch = null)
    {
        var psi = new ProcessStartInfo(Exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = new StringWriter();
        var err = p.StandardError.ReadToEndAsync();
        var pump = Task.Run(() =>
        {
            while (p.StandardOutput.ReadLine() is { } line)
                lock (output) output.WriteLine(line);
        });
        watch?.Invoke(p, output);
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(8)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"research {string.Join(' ', args)} did not finish");
        }
        pump.Wait();
        lock (output) return (p.ExitCode, output.ToString(), err.Result);
    }

    private static string[] Launch(string logDir, params string[] command) =>
        ["launch", "--nproc-per-node", "2", "--log-dir", logDir, "--", .. command];

    private static string[] Train(string spec, string outDir, params string[] extra) => Train(spec, outDir, 512, 2, extra);

    private static string[] Train(string spec, string outDir, int subset, int epochs, params string[] extra) =>
        ["train", "--model", spec, "--subset", $"{subset}", "--batch", "64", "--epochs", $"{epochs}", "--crop-padding", "0", "--no-flip", "--warmup-epochs", "0",
         "--lr", "0.05", "--threads", "1", "--out", outDir, .. extra];

    private static Dictionary<string, float[]> Weights(string path)
    {
        using var file = SafeTensors.Load(path);
        return file.Keys.ToDictionary(k => k, k => file[k].to(ScalarType.Float32).ToArray<float>());
    }

    [Fact]
    public void TwoRanksWithSyncBatchNormTrainTheWeightsOfOneProcess()
    {
        var root = Root();
        var spec = Path.Combine(root, "bn-net.yaml");
        File.WriteAllText(spec, SpecYaml);
        var single = CliRunner.Run(Train(spec, Path.Combine(root, "single"), "--sync-bn"));
        Assert.True(single.Code == 0, single.Err);
        var ranks = Process(Launch(Path.Combine(root, "logs"), Train(spec, Path.Combine(root, "ranks"), "--sync-bn")));
        Assert.True(ranks.Code == 0, ranks.Out + ranks.Err);
        Assert.Contains("[rank 1] distributed rank 1 of 2", ranks.Out);
        Assert.Contains("ranks 2 batch_per_rank 32", ranks.Out);
        Assert.True(File.Exists(Path.Combine(root, "logs", "rank-1.log")));

        var expected = Weights(Path.Combine(root, "single", "model.safetensors"));
        var actual = Weights(Path.Combine(root, "ranks", "model.safetensors"));
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.Contains(expected.Keys, k => k.EndsWith("running_var", StringComparison.Ordinal));
        // Relative to each tensor's norm (an element near zero has no relative error to speak of; a tensor near zero, e.g. a bias
        // that a following batch norm cancels or the running mean of a centred input, is held to 1e-7 absolute).
        foreach (var (name, values) in expected)
        {
            double difference = Math.Sqrt(values.Zip(actual[name], (a, b) => (double)(a - b) * (a - b)).Sum());
            double norm = Math.Sqrt(values.Sum(v => (double)v * v));
            Assert.True(difference <= 1e-5 * Math.Max(norm, 1e-2), $"{name}: |one process - two ranks| = {difference:E2}, |one process| = {norm:E2}");
        }
        // The evaluation is sharded and summed: the same figures, but for the images that weights 1e-5 apart may tip
        // (a near-tie among Fashion-MNIST's 10,000 test images; at most three allowed, 0.01 point each).
        static double Top1(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json"))).RootElement.GetProperty("final").GetProperty("ValTop1").GetDouble();
        Assert.InRange(Math.Abs(Top1(Path.Combine(root, "single")) - Top1(Path.Combine(root, "ranks"))), 0, 0.03 + 1e-9);
    }

    [Fact]
    public void AGridSearchOnTwoRanksWritesTheSerialCandidates()
    {
        var root = Root();
        string[] Grid(string dir) => ["search", "grid", "--base", "mobilenet_v2", "--width-mult", "0.25", "--small-input", "--subset", "400", "--epochs", "1",
            "--max-candidates", "4", "--seeds", "1", "--threads", "1", "--out", dir];
        var serial = CliRunner.Run(Grid(Path.Combine(root, "serial")));
        Assert.True(serial.Code == 0, serial.Err);
        var ranks = Process(Launch(Path.Combine(root, "logs"), Grid(Path.Combine(root, "ranks"))));
        Assert.True(ranks.Code == 0, ranks.Out + ranks.Err);
        // Both ranks trained candidates.
        Assert.Contains("[rank 1] grid", ranks.Out);
        Assert.Contains("[rank 0] grid", ranks.Out);
        Assert.Equal(WithoutColumns(Path.Combine(root, "serial", "candidates.csv"), "seconds"), WithoutColumns(Path.Combine(root, "ranks", "candidates.csv"), "seconds"));
        Assert.Equal(File.ReadAllText(Path.Combine(root, "serial", "best.json")), File.ReadAllText(Path.Combine(root, "ranks", "best.json")));
    }

    [Fact]
    public void AnExperimentsTrainStageOnTwoRanksWritesTheSerialFamily()
    {
        var root = Root();
        var yaml = Path.Combine(root, "family.yaml");
        File.WriteAllText(yaml, """
            name: family-test
            seed: 3
            dataset: {name: fashion-mnist, subset: 600}
            stages:
              scale: {base: {model: mobilenet_v2, width_mult: 0.25, small_input: true}, coefficients: {alpha: 1.2, beta: 1.1, gamma: 1.15}, phi: [0, 1]}
              train:
                epochs: 1
                batch: 64
                baselines: [{model: mobilenet_v2, width_mult: 0.35, small_input: true}]
            """);
        var serial = CliRunner.Run("run", yaml, "--out", Path.Combine(root, "serial"), "--threads", "1");
        Assert.True(serial.Code == 0, serial.Out + serial.Err);
        var ranks = Process(Launch(Path.Combine(root, "logs"), "run", yaml, "--out", Path.Combine(root, "ranks"), "--threads", "1"));
        Assert.True(ranks.Code == 0, ranks.Out + ranks.Err);
        string Family(string outRoot) => WithoutColumns(Directory.GetFiles(outRoot, "family.csv", SearchOption.AllDirectories).Single(), "images_per_s", "seconds");
        Assert.Equal(Family(Path.Combine(root, "serial")), Family(Path.Combine(root, "ranks")));
        Assert.Equal(3, CsvTable.Read(Directory.GetFiles(Path.Combine(root, "ranks"), "family.csv", SearchOption.AllDirectories).Single()).Count);
    }

    /// <summary>
    /// SIGKILL one rank in its second epoch: the other stops with an error naming it well within the
    /// collective timeout, the launcher exits non-zero, and --resume ends with an unbroken run's figures.
    /// </summary>
    [Fact]
    public void AKilledRankIsNamedAndResumeFinishesWithTheUnbrokenFigures()
    {
        var root = Root();
        var spec = Path.Combine(root, "bn-net.yaml");
        File.WriteAllText(spec, SpecYaml);
        string[] Run(string dir, params string[] extra) => Launch(Path.Combine(root, "logs-" + Path.GetFileName(dir)),
            Train(spec, dir, 2048, 3, ["--dist-timeout", "60", .. extra]));
        var whole = Process(Run(Path.Combine(root, "whole")));
        Assert.True(whole.Code == 0, whole.Out + whole.Err);

        string killed = Path.Combine(root, "killed");
        var clock = new Stopwatch();
        var broken = Process(Run(killed), watch: (launcher, output) =>
        {
            int? pid = null;
            var history = Path.Combine(killed, "history.csv");
            var wait = Stopwatch.StartNew();
            while (wait.Elapsed < TimeSpan.FromMinutes(4) && !launcher.HasExited)
            {
                lock (output) pid ??= Regex.Match(output.ToString(), @"launch: rank 1 pid (\d+)") is { Success: true } m ? int.Parse(m.Groups[1].Value) : null;
                if (pid is not null && File.Exists(history) && File.ReadAllLines(history).Length >= 2) break;
                Thread.Sleep(20);
            }
            Thread.Sleep(300); // into the second epoch
            Assert.False(launcher.HasExited, "the run ended before a rank could be killed");
            System.Diagnostics.Process.GetProcessById(pid!.Value).Kill();
            clock.Start();
        });
        clock.Stop();
        Assert.NotEqual(0, broken.Code);
        Assert.Matches(@"\[rank 0\] error: rank 0 of 2: .* rank 1 (stopped responding|failed)", broken.Out + broken.Err);
        Assert.Contains("launch: rank 1 exited with code 137", broken.Out);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the surviving rank took {clock.Elapsed} to stop");
        Assert.False(File.Exists(Path.Combine(killed, "metrics.json")));

        var resumed = Process(Run(killed, "--resume"));
        Assert.True(resumed.Code == 0, resumed.Out + resumed.Err);
        Assert.Contains("resuming", resumed.Out);
        static JsonElement Final(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json"))).RootElement.GetProperty("final");
        foreach (var key in new[] { "ValTop1", "ValLoss", "TrainLoss", "TrainAccuracy" })
            Assert.Equal(Final(Path.Combine(root, "whole")).GetProperty(key).GetDouble(), Final(killed).GetProperty(key).GetDouble());
    }

    /// <summary>
    /// SIGSTOP to one rank in its second epoch, at the default --dist-timeout (600 s): the job does not hang for the
    /// collective's timeout. The stopped rank is named (by the other rank's heartbeat watch, or by the launcher, which
    /// sees it stopped) and the job is torn down within a minute, with a non-zero exit code. Rank 0 hosts the store, so
    /// stopping it silences the store too.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void AStoppedRankIsNamedAndTheJobEndsWithinAMinute(int stopped)
    {
        var root = Root();
        var spec = Path.Combine(root, "bn-net.yaml");
        File.WriteAllText(spec, SpecYaml);
        string dir = Path.Combine(root, "stopped");
        int other = 1 - stopped;
        var clock = new Stopwatch();
        var result = Process(Launch(Path.Combine(root, "logs"), Train(spec, dir, 2048, 30)), watch: (launcher, output) =>
        {
            int? pid = null;
            var history = Path.Combine(dir, "history.csv");
            var wait = Stopwatch.StartNew();
            while (wait.Elapsed < TimeSpan.FromMinutes(4) && !launcher.HasExited)
            {
                lock (output) pid ??= Regex.Match(output.ToString(), $@"launch: rank {stopped} pid (\d+)") is { Success: true } m ? int.Parse(m.Groups[1].Value) : null;
                if (pid is not null && File.Exists(history) && File.ReadAllLines(history).Length >= 2) break;
                Thread.Sleep(20);
            }
            Thread.Sleep(300); // into the second epoch
            Assert.False(launcher.HasExited, "the run ended before a rank could be stopped");
            var kill = System.Diagnostics.Process.Start("kill", ["-STOP", pid!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
            clock.Start();
        });
        clock.Stop();
        Assert.NotEqual(0, result.Code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the job took {clock.Elapsed} to end after rank {stopped} was stopped");
        Assert.Matches($@"\[rank {other}\] error: rank {other} of 2: .*rank {stopped} (stopped responding|died or stopped)", result.Out + result.Err);
        Assert.False(File.Exists(Path.Combine(dir, "metrics.json")));
    }

    /// <summary>
    /// A run directory another process writes: rank 0 alone tries its lock, and both ranks are refused at once naming the
    /// holder (rank 1 does not wait for a writer that will never come), exit 1, and nothing is written there.
    /// </summary>
    [Fact]
    public void TwoRanksAreRefusedADirectoryAnotherProcessWrites()
    {
        var root = Root();
        var spec = Path.Combine(root, "bn-net.yaml");
        File.WriteAllText(spec, SpecYaml);
        var dir = Path.Combine(root, "held");
        using (RunDirectoryLock.Acquire(dir))
        {
            var clock = Stopwatch.StartNew();
            var ranks = Process(Launch(Path.Combine(root, "logs"), Train(spec, dir)), TimeSpan.FromMinutes(3));
            Assert.Equal(1, ranks.Code);
            string holder = $"is being written by pid {Environment.ProcessId} on host {Environment.MachineName}";
            Assert.Matches($@"\[rank 0\] error: .*{Regex.Escape(holder)}", ranks.Out + ranks.Err);
            Assert.Matches($@"\[rank 1\] error: .*{Regex.Escape(holder)}", ranks.Out + ranks.Err);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"the ranks took {clock.Elapsed} to stop");
            Assert.Equal(new[] { RunDirectoryLock.FileName, RunDirectoryLock.HolderFileName }, Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).Order().ToArray());
        }
    }

    private static string WithoutColumns(string csv, params string[] drop)
    {
        var rows = CsvTable.Read(csv);
        return string.Join("\n", rows.Select(r => string.Join(",", r.Where(kv => !drop.Contains(kv.Key)).Select(kv => $"{kv.Key}={kv.Value}"))));
    }
}
