using System.Diagnostics;
using System.Globalization;
using Research.Training.Tests;

namespace Research.Cli.Tests;

/// <summary>
/// Small files that would take gigabytes, through the real program (a process, so its peak resident memory can be
/// read): a .pth padded with a deflated gigabyte of zeros for `predict --weights` and `train --init-from`, and image
/// bombs for `predict --input` and `data`. Each is refused as bad input naming the file, within a bounded peak.
/// </summary>
[Collection("CLI training")]
public class BombCommandTests
{
    private static readonly string Exe = Path.Combine(AppContext.BaseDirectory, "research");

    /// <summary>The bound on a bomb's peak resident memory.</summary>
    private const long PeakBound = 300L << 20;

    private static Lazy<string> Run => ModelsOutCommandTests.Run;

    /// <summary>Runs research as a process, reading its peak resident memory (VmHWM) until it exits.</summary>
    internal static (int Code, string Out, string Err, long PeakBytes) Measured(params string[] args)
    {
        var psi = new ProcessStartInfo(Exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        long peak = 0;
        var clock = Stopwatch.StartNew();
        while (!p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(5))
        {
            try
            {
                var line = File.ReadLines($"/proc/{p.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                if (line is not null) peak = Math.Max(peak, 1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // it exited between the check and the read
            }
            Thread.Sleep(5);
        }
        if (!p.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"research {string.Join(' ', args)} did not finish");
        }
        return (p.ExitCode, output.Result, error.Result, peak);
    }

    /// <summary>The run's weights as a torch.save .pth, plus a tensor of 2^28 float32 zeros the model does not have, every entry deflated: 1 GiB in about a megabyte.</summary>
    private static string PaddedPth(string dir)
    {
        var path = Path.Combine(dir, "padded.pth");
        var script = Path.Combine(dir, "pad.py");
        File.WriteAllText(script, """
            import json, os, struct, sys, zipfile, torch
            src, dst = sys.argv[1], sys.argv[2]
            with open(src, 'rb') as f:
                n = struct.unpack('<Q', f.read(8))[0]; header = json.loads(f.read(n)); data = f.read()
            sd = {k: torch.frombuffer(bytearray(data[v['data_offsets'][0]:v['data_offsets'][1]]), dtype=torch.float32 if v['dtype'] == 'F32' else torch.int64).reshape(v['shape'])
                  for k, v in header.items() if k != '__metadata__'}
            sd['extra'] = torch.zeros(1 << 28)
            torch.save(sd, dst + '.stored')
            with zipfile.ZipFile(dst + '.stored') as zin, zipfile.ZipFile(dst, 'w') as zout:
                for info in zin.infolist():
                    out = zipfile.ZipInfo(info.filename); out.compress_type = zipfile.ZIP_DEFLATED
                    with zin.open(info) as r, zout.open(out, 'w', force_zip64=True) as w:
                        while chunk := r.read(1 << 26): w.write(chunk)
            os.remove(dst + '.stored')
            """);
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true };
        foreach (var a in new[] { script, Path.Combine(Run.Value, "model.safetensors"), path }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, err);
        Assert.True(new FileInfo(path).Length < 16 << 20, $"{new FileInfo(path).Length} bytes: the storage was not deflated");
        return path;
    }

    [PyTorchFact]
    public void APthPaddedWithADeflatedGigabyteIsRefusedBeforeItInflates()
    {
        var dir = Directory.CreateTempSubdirectory("pth-bomb").FullName;
        var bomb = PaddedPth(dir);
        var npy = Path.Combine(dir, "x.npy");
        ModelsOutCommandTests.WriteNpy(npy, "<f4", [1, 1, 28, 28], new byte[28 * 28 * 4]);
        var csv = Path.Combine(dir, "out.csv");
        var (code, _, err, peak) = Measured("predict", "--model", Path.Combine(Run.Value, "model.yaml"), "--weights", bomb, "--input", npy, "--out", csv, "--threads", "1");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(bomb, err);
        Assert.Contains("1 unexpected (e.g. extra)", err);
        Assert.True(peak < PeakBound, $"predict reached {peak >> 20} MiB resident");
        Assert.False(File.Exists(csv));

        // train --init-from: refused the same way, and no run directory is left behind.
        var run = Path.Combine(dir, "fine-tuned");
        (code, _, err, peak) = Measured("train", "--model", Path.Combine(Run.Value, "model.yaml"), "--dataset", "synthetic", "--subset", "64", "--epochs", "1",
            "--init-from", bomb, "--threads", "1", "--out", run);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("1 unexpected (e.g. extra)", err);
        Assert.True(peak < PeakBound, $"train --init-from reached {peak >> 20} MiB resident");
        Assert.False(Directory.Exists(run), "a refused --init-from left a run directory");
    }

    [Fact]
    public void AnAnimatedGifOfHugeFramesIsRefusedByPredictAndData()
    {
        var dir = Directory.CreateTempSubdirectory("gif-bomb").FullName;
        var gif = Path.Combine(dir, "g.gif");
        File.WriteAllBytes(gif, ImageBombs.Gif(9000, 9000, 30));
        var csv = Path.Combine(dir, "out.csv");
        var (code, _, err, peak) = Measured("predict", "--weights", Path.Combine(Run.Value, "model.safetensors"), "--input", gif, "--out", csv, "--threads", "1");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{gif}: 9000x9000 pixels from a file of 729 bytes", err);
        Assert.True(peak < PeakBound, $"predict reached {peak >> 20} MiB resident");

        // In a folder dataset: skipped (listed), the rest loads, within the same bound.
        var data = Path.Combine(dir, "data");
        foreach (var cls in new[] { "a", "b" })
        {
            Directory.CreateDirectory(Path.Combine(data, "train", cls));
            for (int i = 0; i < 3; i++) File.WriteAllBytes(Path.Combine(data, "train", cls, $"{i}.png"), ImageBombs.Png(28, 28));
        }
        File.Copy(gif, Path.Combine(data, "train", "a", "g.gif"));
        string output;
        (code, output, err, peak) = Measured("data", "--dataset", "folder", "--data-dir", data, "--bad-images", "skip");
        Assert.True(code == 0, err);
        Assert.Contains("skipped 1", output);
        Assert.Contains("stored 1x28x28", output);
        Assert.True(peak < PeakBound, $"data reached {peak >> 20} MiB resident");
    }
}
