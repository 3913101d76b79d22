using System.Diagnostics;
using System.Text.Json;
using Research.Torch.IO;

namespace Research.Cli.Tests;

/// <summary>
/// A write that fails for want of space, without root: the writer runs under a file-size limit
/// (RLIMIT_FSIZE, `ulimit -f`, with SIGXFSZ ignored so the write fails with EFBIG instead of killing
/// the process). The previous file stays intact and loadable, no temporary file is left, the error
/// names the path and the system's error, and `--resume` ends the run as an unbroken one ends.
/// </summary>
[Collection("CLI training")]
public class FullDiskTests
{
    private static readonly string Exe = Path.Combine(AppContext.BaseDirectory, "research");

    private static string[] Train(string dir, params string[] more) =>
    [
        "train", "--model", "mobilenet_v3_small", "--width-mult", "0.5", "--small-input", "--dataset", "synthetic", "--subset", "600",
        "--batch", "50", "--lr", "0.05", "--threads", "1", "--epochs", "3", "--out", dir, .. more,
    ];

    /// <summary>Runs research in a shell with the file-size limit (1 KiB blocks; null: none).</summary>
    private static (int Code, string Out, string Err) Limited(long? blocks, string[] args, Func<Process, bool>? killWhen = null)
    {
        var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        // .NET maps its JIT's code pages through a file (write-xor-execute); under a small file-size limit it could not start.
        psi.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(blocks is { } b ? $"trap '' XFSZ; ulimit -f {b}; exec \"$0\" \"$@\"" : "exec \"$0\" \"$@\"");
        psi.ArgumentList.Add(Exe);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (killWhen is not null)
        {
            var clock = Stopwatch.StartNew();
            while (!p.HasExited && !killWhen(p) && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(20);
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("research did not finish");
        }
        return (p.ExitCode, output.Result, error.Result);
    }

    private static (double, double, double) Final(string dir)
    {
        var f = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json"))).RootElement.GetProperty("final");
        return (f.GetProperty("ValTop1").GetDouble(), f.GetProperty("ValLoss").GetDouble(), f.GetProperty("TrainLoss").GetDouble());
    }

    [Fact]
    public void ACheckpointThatDoesNotFitKeepsThePreviousOneAndTheRunResumesToTheUnbrokenFigures()
    {
        var root = Directory.CreateTempSubdirectory("research-full-").FullName;
        string whole = Path.Combine(root, "whole"), broken = Path.Combine(root, "broken");
        Assert.Equal(0, Limited(null, Train(whole)).Code);

        // A first run is stopped after its first checkpoint.
        var checkpoint = Path.Combine(broken, "checkpoint.safetensors");
        var history = Path.Combine(broken, "history.csv");
        Limited(null, Train(broken), _ => File.Exists(history) && File.ReadAllLines(history).Length >= 2);
        Assert.True(File.Exists(checkpoint));
        var before = File.ReadAllBytes(checkpoint);
        Assert.Equal("1", Checkpoint.ReadMetadata(checkpoint)["epoch"]);

        // Resumed with files capped below the checkpoint's size: the next checkpoint (a little larger: one more epoch of history) cannot be written.
        var (code, output, err) = Limited(before.Length / 1024, Train(broken, "--resume"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("resuming", output);
        Assert.Contains($"could not write {checkpoint}", err);
        Assert.Contains("File too large", err);
        Assert.Contains("the previous file, if any, is unchanged", err);
        Assert.True(File.ReadAllBytes(checkpoint).AsSpan().SequenceEqual(before), "the previous checkpoint changed");
        Assert.Empty(Directory.GetFiles(broken, "*.tmp"));
        Assert.False(File.Exists(Path.Combine(broken, "metrics.json")));

        // With room again, --resume ends where the unbroken run ended.
        var resumed = Limited(null, Train(broken, "--resume"));
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Equal(Final(whole), Final(broken));
    }

    [Fact]
    public void ACsvThatDoesNotFitKeepsThePreviousOne()
    {
        var dir = Directory.CreateTempSubdirectory("research-full-").FullName;
        string[] Scale(string phi) => ["scale", "--base", "mobilenet_v2", "--alpha", "1.2", "--beta", "1.1", "--gamma", "1.15", "--phi", phi, "--out", dir];
        Assert.Equal(0, Limited(null, Scale("0-2")).Code);
        var csv = Path.Combine(dir, "scale.csv");
        var before = File.ReadAllText(csv);
        // The larger family's scale.csv outgrows the limit (1 KiB); each member's spec fits under it.
        const long limitBytes = 1024;
        Assert.True(before.Length < limitBytes);
        Assert.True(new DirectoryInfo(dir).GetFiles("*.yaml").All(f => f.Length < limitBytes), "a spec file is as large as the CSV; the test needs a smaller spec");
        var (code, _, err) = Limited(limitBytes / 1024, Scale("0-12"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains($"could not write {csv}", err);
        Assert.Contains("File too large", err);
        Assert.Equal(before, File.ReadAllText(csv));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }
}
