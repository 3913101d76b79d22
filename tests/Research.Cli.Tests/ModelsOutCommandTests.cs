using System.Globalization;
using System.Text.Json;
using Research.Core.Csv;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Research.Cli.Tests;

/// <summary>`research eval`, `predict` and `export` on a real (small) training run.</summary>
public class ModelsOutCommandTests
{
    private static readonly Lazy<string> Run = new(() =>
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("modelsout").FullName, "run");
        var (code, _, err) = CliRunner.Run("train", "--model", "mobilenet_v3_small", "--width-mult", "0.25", "--small-input", "--dataset", "synthetic",
            "--subset", "256", "--epochs", "2", "--batch", "32", "--threads", "1", "--out", dir);
        Assert.True(code == 0, err);
        return dir;
    });

    private static string Weights => Path.Combine(Run.Value, "model.safetensors");

    [Fact]
    public void EvalOfARunsModelReproducesItsFinalTestTop1()
    {
        var outDir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "eval");
        var (code, output, err) = CliRunner.Run("eval", "--weights", Weights, "--threads", "1", "--out", outDir);
        Assert.True(code == 0, err);
        var figures = CliRunner.Figures(output);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(Run.Value, "metrics.json")));
        double final = metrics.RootElement.GetProperty("final").GetProperty("ValTop1").GetDouble();
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

    private static void WriteNpy(string path, string descr, long[] shape, byte[] data)
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
