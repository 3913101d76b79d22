using System.Diagnostics;
using System.Text.Json;
using Research.Core.IO;

namespace Research.Cli.Tests;

[Collection("CLI training")]
public class TrainCommandTests
{
    private static string[] Args(string dir, params string[] more) =>
    [
        "train", "--model", "mobilenet_v3_small", "--width-mult", "0.5", "--small-input", "--dataset", "synthetic", "--subset", "400",
        "--batch", "50", "--lr", "0.05", "--threads", "1", "--out", dir, .. (more.Contains("--epochs") ? more : [.. more, "--epochs", "3"]),
    ];

    [Fact]
    public void TrainsOnSyntheticDataAndWritesTheRunFiles()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        var (code, output, err) = CliRunner.Run(Args(dir, "--epochs", "1"));
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("epoch 1/1", output);
        Assert.True(double.Parse(CliRunner.Figures(output)["final_top1"], System.Globalization.CultureInfo.InvariantCulture) >= 0);
        foreach (var f in new[] { "history.csv", "metrics.json", "model.safetensors", "checkpoint.safetensors", "model.yaml", "train.json" })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        var (again, _, againErr) = CliRunner.Run(Args(dir, "--epochs", "1"));
        Assert.Equal(ExitCodes.BadInput, again);
        Assert.Contains("resume it", againErr);
    }

    [Theory]
    [InlineData("--epochs", "0", "--epochs")]
    [InlineData("--dataset", "mnist", "mnist")]
    [InlineData("--model", "nope", "'nope'")]
    public void BadInputIsExitCodeTwoAndCreatesNothing(string option, string value, string mentions)
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        var args = Args(dir).ToList();
        int i = args.IndexOf(option);
        args[i + 1] = value;
        var (code, _, err) = CliRunner.Run(args.ToArray());
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(mentions, err);
        Assert.False(Directory.Exists(dir));
    }

    /// <summary>--kernels: the run trains as in a process whose switches say the same, and the process's switches are put back.</summary>
    [Fact]
    public void KernelsOptionSwitchesForTheRunAndPutsTheProcessBack()
    {
        var before = (Torch.torch.fused_batch_norm_act_enabled, Torch.torch.depthwise_conv_kernel_enabled);
        try
        {
            static List<string> Losses(string dir) => // history without the timing columns
                File.ReadLines(Path.Combine(dir, "history.csv")).Select(l => string.Join(",", l.Split(',')[..^2])).ToList();
            var root = Directory.CreateTempSubdirectory().FullName;
            Torch.torch.fused_batch_norm_act_enabled = Torch.torch.depthwise_conv_kernel_enabled = true;
            var (code, _, err) = CliRunner.Run(Args(Path.Combine(root, "pinned"), "--epochs", "1", "--kernels", "off"));
            Assert.True(code == ExitCodes.Ok, err);
            Assert.True(Torch.torch.fused_batch_norm_act_enabled);
            Assert.True(Torch.torch.depthwise_conv_kernel_enabled);
            Torch.torch.fused_batch_norm_act_enabled = Torch.torch.depthwise_conv_kernel_enabled = false;
            (code, _, err) = CliRunner.Run(Args(Path.Combine(root, "process"), "--epochs", "1"));
            Assert.True(code == ExitCodes.Ok, err);
            Assert.Equal(Losses(Path.Combine(root, "process")), Losses(Path.Combine(root, "pinned")));

            (code, _, err) = CliRunner.Run(Args(Path.Combine(root, "bad"), "--kernels", "maybe"));
            Assert.Equal(ExitCodes.BadInput, code);
            Assert.Contains("maybe", err);
            Assert.False(Directory.Exists(Path.Combine(root, "bad")));
        }
        finally
        {
            (Torch.torch.fused_batch_norm_act_enabled, Torch.torch.depthwise_conv_kernel_enabled) = before;
        }
    }

    /// <summary>SIGKILL in the middle of an epoch, then the same command with --resume: the same final metrics as an unbroken run.</summary>
    [Fact]
    public void KilledMidEpochAndResumedEndsWithTheSameMetrics()
    {
        var root = Directory.CreateTempSubdirectory().FullName;
        string whole = Path.Combine(root, "whole"), killed = Path.Combine(root, "killed");
        Assert.Equal(0, CliRunner.Run(Args(whole)).Code);

        var exe = Path.Combine(AppContext.BaseDirectory, "research");
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in Args(killed)) psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            // Wait until epoch 1 is checkpointed, then a little into epoch 2, and kill.
            var history = Path.Combine(killed, "history.csv");
            var sw = Stopwatch.StartNew();
            while (!(File.Exists(history) && File.ReadAllLines(history).Length >= 2) && !p.HasExited && sw.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(20);
            Thread.Sleep(300);
            Assert.False(p.HasExited, "the run finished before it could be killed");
            p.Kill(entireProcessTree: true); // SIGKILL
            p.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killed, "metrics.json")));
        var (code, output, err) = CliRunner.Run(Args(killed, "--resume"));
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("resuming", output);

        static (double, double, double, double) Final(string dir)
        {
            var f = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json"))).RootElement.GetProperty("final");
            return (f.GetProperty("ValTop1").GetDouble(), f.GetProperty("ValLoss").GetDouble(), f.GetProperty("TrainLoss").GetDouble(), f.GetProperty("TrainAccuracy").GetDouble());
        }
        Assert.Equal(Final(whole), Final(killed));
        Assert.True(File.ReadAllBytes(Path.Combine(whole, "model.safetensors")).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(killed, "model.safetensors"))));
    }
}

[Collection("CLI training")]
public class TrainCommandLockTests
{
    /// <summary>
    /// Two `train` on one --out at once (the second with another seed, then with --resume): while the first writes, the
    /// second is refused with an error naming it (pid and host) and exit code 1 (a failure, not bad input: the same command
    /// succeeds once the first has finished), and writes nothing; the directory ends with the first run's files only.
    /// </summary>
    [Fact]
    public void ASecondTrainerOnTheSameOutIsRefusedNamingTheFirst()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        string[] First(params string[] more) =>
        [
            "train", "--model", "mobilenet_v3_small", "--width-mult", "0.5", "--small-input", "--dataset", "synthetic", "--subset", "800",
            "--batch", "50", "--lr", "0.05", "--threads", "1", "--epochs", "6", "--out", dir, .. more,
        ];
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "research")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in First()) psi.ArgumentList.Add(a);
        using var first = Process.Start(psi)!;
        var firstOut = first.StandardOutput.ReadToEndAsync();
        var firstErr = first.StandardError.ReadToEndAsync();
        var wait = Stopwatch.StartNew();
        while (RunDirectoryLock.Holder(dir) is null && !first.HasExited && wait.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(10);
        Assert.NotNull(RunDirectoryLock.Holder(dir));

        foreach (var second in new[] { First("--seed", "1"), First("--resume") })
        {
            var (code, _, err) = CliRunner.Run(second);
            Assert.True(first.HasExited is false, "the first run ended before the second was refused");
            Assert.Equal(ExitCodes.Failure, code);
            Assert.Contains($"is being written by pid {first.Id} on host {Environment.MachineName}", err);
            Assert.Contains("one writer at a time", err);
        }

        first.WaitForExit();
        Assert.True(first.ExitCode == 0, firstOut.Result + firstErr.Result);
        // Only the first run's files: its seed in train.json, the checkpoint's identity the same (a resume accepts it), no note left.
        Assert.Equal(0, JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "train.json"))).RootElement.GetProperty("config").GetProperty("Seed").GetInt32());
        Assert.Equal(6, File.ReadAllLines(Path.Combine(dir, "history.csv")).Length - 1);
        Assert.False(File.Exists(Path.Combine(dir, RunDirectoryLock.HolderFileName)));
        var (again, output, againErr) = CliRunner.Run(First("--resume"));
        Assert.True(again == ExitCodes.Ok, againErr);
        Assert.Contains("resuming", output);
    }
}


[CollectionDefinition("CLI training", DisableParallelization = true)]
public class CliTrainingCollection;
