using System.Globalization;
using System.Text.Json;
using Research.Core.Csv;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Research.Cli.Tests;

/// <summary>`research eval`, `predict` and `export` on a real (small) training run.</summary>
public class ModelsOutCommandTests
{
    /// <summary>A small trained run (shared with <see cref="BombCommandTests"/>).</summary>
    internal static readonly Lazy<string> Run = new(() =>
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("modelsout").FullName, "run");
        var (code, _, err) = CliRunner.Run("train", "--model", "mobilenet_v3_small", "--width-mult", "0.25", "--small-input", "--dataset", "synthetic",
            "--subset", "256", "--epochs", "2", "--batch", "32", "--threads", "1", "--out", dir);
        Assert.True(code == 0, err);
        return dir;
    });

    private static string Weights => Path.Combine(Run.Value, "model.safetensors");

    /// <summary>The run's own final test top-1 (metrics.json).</summary>
    private static double FinalTop1()
    {
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(Run.Value, "metrics.json")));
        return metrics.RootElement.GetProperty("final").GetProperty("ValTop1").GetDouble();
    }

    [Fact]
    public void EvalOfARunsModelReproducesItsFinalTestTop1()
    {
        var outDir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "eval");
        var (code, output, err) = CliRunner.Run("eval", "--weights", Weights, "--threads", "1", "--out", outDir);
        Assert.True(code == 0, err);
        var figures = CliRunner.Figures(output);
        double final = FinalTop1();
        Assert.Equal(final.ToString("F2", CultureInfo.InvariantCulture), figures["top1"]);
        using var eval = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "eval.json")));
        Assert.Equal(final, eval.RootElement.GetProperty("top1").GetDouble());
        var perClass = CsvTable.Read(Path.Combine(outDir, "per_class.csv"));
        Assert.Equal(10, perClass.Count);
        Assert.Equal(eval.RootElement.GetProperty("count").GetInt32(), perClass.Sum(r => int.Parse(r["count"], CultureInfo.InvariantCulture)));
        var confusion = CsvTable.Read(Path.Combine(outDir, "confusion.csv"));
        long diagonal = confusion.Select((r, i) => long.Parse(r.Values.Skip(1 + i).First(), CultureInfo.InvariantCulture)).Sum();
        Assert.Equal(final, 100.0 * diagonal / eval.RootElement.GetProperty("count").GetInt32(), 9);
    }

    [Fact]
    public void PredictClassifiesAFolderOfImagesAndANpyBatch()
    {
        var dir = Directory.CreateTempSubdirectory("predict").FullName;
        var images = Path.Combine(dir, "images");
        Directory.CreateDirectory(images);
        var rng = new Random(1);
        for (int i = 0; i < 3; i++)
        {
            using var image = new Image<L8>(28, 28);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++) image[x, y] = new L8((byte)rng.Next(256));
            image.SaveAsPng(Path.Combine(images, $"img{i}.png"));
        }
        using (var big = new Image<Rgb24>(60, 40)) big.SaveAsJpeg(Path.Combine(images, "photo.jpg")); // converted to gray and resized to 28x28
        var csv = Path.Combine(dir, "out.csv");
        var (code, _, err) = CliRunner.Run("predict", "--weights", Weights, "--input", images, "--top", "3", "--logits", "--out", csv, "--threads", "1");
        Assert.True(code == 0, err);
        var rows = CsvTable.Read(csv);
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r =>
        {
            var probs = new[] { "prob1", "prob2", "prob3" }.Select(k => double.Parse(r[k], CultureInfo.InvariantCulture)).ToArray();
            Assert.True(probs[0] >= probs[1] && probs[1] >= probs[2]);
            Assert.Equal(10, r.Keys.Count(k => k.StartsWith("logit_", StringComparison.Ordinal)));
        });

        // The same batch as a .npy already normalised gives one row per item, by index.
        var npy = Path.Combine(dir, "x.npy");
        WriteNpy(npy, "<f4", [2, 1, 28, 28], new byte[2 * 28 * 28 * 4]);
        (code, _, err) = CliRunner.Run("predict", "--weights", Weights, "--input", npy, "--out", Path.Combine(dir, "npy.csv"));
        Assert.True(code == 0, err);
        Assert.Equal(["0", "1"], CsvTable.Read(Path.Combine(dir, "npy.csv")).Select(r => r["index"]));
    }

    /// <summary>`--engine`: both engines give the same logits in predict (to 1e-4) and the run's top-1 in eval; an unknown engine is bad input.</summary>
    [Fact]
    public void BothEnginesGiveTheSameLogitsAndAnUnknownOneIsRefused()
    {
        var dir = Directory.CreateTempSubdirectory("engines").FullName;
        var npy = Path.Combine(dir, "x.npy");
        var rng = new Random(2);
        WriteNpy(npy, "<f4", [5, 1, 28, 28], Enumerable.Range(0, 5 * 28 * 28).SelectMany(_ => BitConverter.GetBytes((float)(rng.NextDouble() * 4 - 2))).ToArray());
        double[][] Logits(string engine)
        {
            var csv = Path.Combine(dir, $"{engine}.csv");
            var (code, output, err) = CliRunner.Run("predict", "--weights", Weights, "--input", npy, "--logits", "--out", csv, "--threads", "1", "--engine", engine);
            Assert.True(code == 0, err);
            Assert.StartsWith(engine, CliRunner.Figures(output)["engine"]);
            return CsvTable.Read(csv).Select(r => r.Where(kv => kv.Key.StartsWith("logit_", StringComparison.Ordinal))
                .Select(kv => double.Parse(kv.Value, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        }
        var libtorch = Logits("libtorch");
        var onnxruntime = Logits("onnxruntime");
        Assert.Equal(5, libtorch.Length);
        for (int i = 0; i < libtorch.Length; i++)
        {
            Assert.Equal(10, libtorch[i].Length);
            Assert.True(libtorch[i].Zip(onnxruntime[i], (a, b) => Math.Abs(a - b)).Max() < 1e-4, $"row {i}: the engines' logits differ");
        }

        var (evalCode, evalOut, evalErr) = CliRunner.Run("eval", "--weights", Weights, "--threads", "1", "--engine", "onnxruntime", "--out", Path.Combine(dir, "eval"));
        Assert.True(evalCode == 0, evalErr);
        Assert.Equal(FinalTop1().ToString("F2", CultureInfo.InvariantCulture), CliRunner.Figures(evalOut)["top1"]);
        Assert.Equal("onnxruntime", CliRunner.Figures(evalOut)["engine"]);

        var refused = Path.Combine(dir, "tvm.csv");
        var (badCode, _, badErr) = CliRunner.Run("predict", "--weights", Weights, "--input", npy, "--out", refused, "--engine", "tvm");
        Assert.Equal(ExitCodes.BadInput, badCode);
        Assert.Contains("tvm", badErr);
        Assert.Contains("onnxruntime", badErr);
        Assert.False(File.Exists(refused));
    }

    [Fact]
    public void BadInputsAreClearErrorsAndWriteNothing()
    {
        var dir = Directory.CreateTempSubdirectory("badinput").FullName;
        var notImage = Path.Combine(dir, "notes.png");
        File.WriteAllText(notImage, "this is text, not a PNG");
        var csv = Path.Combine(dir, "out.csv");
        var (code, _, err) = CliRunner.Run("predict", "--weights", Weights, "--input", notImage, "--out", csv);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(notImage, err);
        Assert.False(File.Exists(csv));

        var wrongDtype = Path.Combine(dir, "x64.npy");
        WriteNpy(wrongDtype, "<f8", [1, 1, 28, 28], new byte[28 * 28 * 8]);
        (code, _, err) = CliRunner.Run("predict", "--weights", Weights, "--input", wrongDtype, "--out", csv);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{wrongDtype}: holds float64", err);
        Assert.False(File.Exists(csv));

        var truncated = Path.Combine(dir, "half.pth");
        var whole = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "assets", "tiny_state_dict.pth"));
        File.WriteAllBytes(truncated, whole[..(whole.Length / 2)]);
        (code, _, err) = CliRunner.Run("eval", "--model", "mobilenet_v3_small", "--weights", truncated, "--dataset", "synthetic", "--out", Path.Combine(dir, "eval"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(truncated, err);
        Assert.False(Directory.Exists(Path.Combine(dir, "eval")));

        var wrongShape = Path.Combine(dir, "other.safetensors");
        (code, _, err) = CliRunner.Run("export", "--weights", Weights, "--format", "safetensors", "--names", "ours", "--out", wrongShape);
        Assert.True(code == 0, err);
        (code, _, err) = CliRunner.Run("eval", "--model", "mobilenet_v3_small", "--width-mult", "0.5", "--small-input", "--weights", wrongShape, "--dataset", "synthetic",
            "--out", Path.Combine(dir, "eval2"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("nothing was loaded", err);
        Assert.Contains("tensor 'stages.1.0.expand.conv.weight': file [24, 8, 1, 1], model [40, 8, 1, 1]", err);
        Assert.False(Directory.Exists(Path.Combine(dir, "eval2")));
    }

    [Fact]
    public void ExportWritesOnnxAndRefusesABadOpsetWithoutWriting()
    {
        var dir = Directory.CreateTempSubdirectory("export").FullName;
        var onnx = Path.Combine(dir, "m.onnx");
        var (code, output, err) = CliRunner.Run("export", "--weights", Weights, "--format", "onnx", "--dynamic-batch", "--out", onnx);
        Assert.True(code == 0, err);
        Assert.Contains("input batchx1x28x28", output);
        Assert.True(new FileInfo(onnx).Length > 1000);
        (code, _, err) = CliRunner.Run("export", "--weights", Weights, "--format", "onnx", "--opset", "9", "--out", Path.Combine(dir, "bad.onnx"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("opset 9", err);
        Assert.False(File.Exists(Path.Combine(dir, "bad.onnx")));
    }

    /// <summary>A .npy of another image size, or with NaN or infinity in it, is bad input naming the file (it used to give NaN probabilities, or classify silently).</summary>
    [Fact]
    public void PredictRefusesANpyOfAnotherSizeOrWithNonFiniteValues()
    {
        var dir = Directory.CreateTempSubdirectory("npy").FullName;
        var csv = Path.Combine(dir, "out.csv");
        foreach (var (name, shape, expected) in new (string, long[], string)[]
                 {
                     ("big.npy", [2, 1, 64, 64], "shape [2, 1, 64, 64]; "), ("tiny.npy", [2, 1, 1, 1], "shape [2, 1, 1, 1]; "),
                 })
        {
            var path = Path.Combine(dir, name);
            WriteNpy(path, "<f4", shape, new byte[shape.Aggregate(4L, (n, d) => n * d)]);
            var (code, _, err) = CliRunner.Run("predict", "--weights", Weights, "--input", path, "--out", csv);
            Assert.Equal(ExitCodes.BadInput, code);
            Assert.Contains($"{path}: {expected}", err);
            Assert.Contains("takes [N, 1, 28, 28]", err);
            Assert.False(File.Exists(csv));
        }
        foreach (var (value, text) in new[] { (float.NaN, "NaN"), (float.PositiveInfinity, "Infinity") })
        {
            var values = new float[3 * 28 * 28];
            values[2 * 28 * 28 + 5 * 28 + 7] = value;
            var path = Path.Combine(dir, $"{text}.npy");
            WriteNpy(path, "<f4", [3, 1, 28, 28], System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
            var (code, _, err) = CliRunner.Run("predict", "--weights", Weights, "--input", path, "--out", csv, "--batch", "2");
            Assert.Equal(ExitCodes.BadInput, code);
            Assert.Contains($"{path}: element [2, 0, 5, 7] is {text}; inputs must be finite numbers", err);
            Assert.False(File.Exists(csv));
        }
    }

    /// <summary>
    /// Where --out points decides how it is written: through a symbolic link to its target (the link stays), into a
    /// FIFO another tool reads, onto a full device as an error (exit 1) that leaves the device a device.
    /// </summary>
    [Fact]
    public void PredictWritesThroughALinkIntoAFifoAndFailsOnAFullDevice()
    {
        var dir = Directory.CreateTempSubdirectory("predict-out").FullName;
        var npy = Path.Combine(dir, "x.npy");
        WriteNpy(npy, "<f4", [2, 1, 28, 28], new byte[2 * 28 * 28 * 4]);
        string[] Predict(string outPath) => ["predict", "--weights", Weights, "--input", npy, "--threads", "1", "--out", outPath];

        var plain = Path.Combine(dir, "plain.csv");
        Assert.Equal(0, CliRunner.Run(Predict(plain)).Code);
        var expected = File.ReadAllText(plain);

        Directory.CreateDirectory(Path.Combine(dir, "results"));
        var target = Path.Combine(dir, "results", "target.csv");
        File.WriteAllText(target, "old");
        var link = Path.Combine(dir, "link.csv");
        File.CreateSymbolicLink(link, target);
        var (code, _, err) = CliRunner.Run(Predict(link));
        Assert.True(code == 0, err);
        Assert.Equal("symbolic link", Research.Core.Tests.Shell.Stat(link));
        Assert.Equal(expected, File.ReadAllText(target));

        var fifo = Path.Combine(dir, "fifo.csv");
        Research.Core.Tests.Shell.Run("mkfifo", fifo);
        var reader = Task.Factory.StartNew(() => File.ReadAllText(fifo), TaskCreationOptions.LongRunning);
        (code, _, err) = CliRunner.Run(Predict(fifo));
        Assert.True(code == 0, err);
        Assert.True(reader.Wait(TimeSpan.FromSeconds(30)), "the FIFO's reader got nothing");
        Assert.Equal(expected, reader.Result);
        Assert.Equal("fifo", Research.Core.Tests.Shell.Stat(fifo));

        if (!Environment.IsPrivilegedProcess) return; // a full device of our own needs mknod
        var full = Path.Combine(dir, "full");
        Research.Core.Tests.Shell.Run("mknod", full, "c", "1", "7");
        (code, _, err) = CliRunner.Run(Predict(full));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains($"could not write {full}: No space left on device", err);
        Assert.Equal("character special file", Research.Core.Tests.Shell.Stat(full));
    }

    /// <summary>An output folder that cannot be made is one error, naming it, with exit code 1, whatever .NET's exception was.</summary>
    [Fact]
    public void AnOutputFolderThatCannotBeMadeIsAFailureNamingIt()
    {
        var dir = Directory.CreateTempSubdirectory("unwritable").FullName;
        var file = Path.Combine(dir, "a-file");
        File.WriteAllText(file, "x");
        var (code, _, err) = CliRunner.Run("eval", "--weights", Weights, "--threads", "1", "--out", Path.Combine(file, "eval"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains($"could not create the folder {Path.Combine(file, "eval")}", err);
    }

    [Fact]
    public void ExportListsEachOptionOnce()
    {
        var (code, output, err) = CliRunner.Run("export", "--help");
        Assert.True(code == 0, err);
        var options = System.Text.RegularExpressions.Regex.Matches(output, @"^\s+(--[a-z-]+)", System.Text.RegularExpressions.RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("--resolution", options);
        Assert.Equal(options.Distinct(), options);
    }

    internal static void WriteNpy(string path, string descr, long[] shape, byte[] data)
    {
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}), }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var f = File.Create(path);
        f.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        f.Write(BitConverter.GetBytes((ushort)header.Length));
        f.Write(System.Text.Encoding.ASCII.GetBytes(header));
        f.Write(data);
    }
}
