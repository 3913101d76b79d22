using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Research.Core.Csv;

namespace Research.Cli.Tests;

/// <summary>
/// `research search proxies`: agreement with an independent implementation of synflow and NASWOT on torchvision's models
/// (the same weights and input), reproducible scores of sampled genotypes, correlation with accuracies, and bad input.
/// </summary>
[Collection("CLI training")]
public class SearchProxiesCommandTests
{
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "assets", "zero_cost_reference.py");
    private static readonly string Space = Path.Combine(Search.Tests.TestPaths.Repo, "search-spaces", "quick.yaml");

    private static double Number(Dictionary<string, string> figures, string name) => double.Parse(figures[name], CultureInfo.InvariantCulture);

    [PyTorchTheory]
    [InlineData("mobilenet_v2")]
    [InlineData("mobilenet_v3_small")]
    [InlineData("efficientnet_b0")]
    [InlineData("shufflenet_v2_x0_5")]
    public void SynflowAndNaswotAgreeWithAnIndependentImplementationOnTorchvisionWeights(string model)
    {
        var dir = Directory.CreateTempSubdirectory("proxies").FullName;
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { Script, model, dir, "64", "8" }) info.ArgumentList.Add(a);
        using (var p = Process.Start(info)!)
        {
            var err = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, err.Result);
        }
        var reference = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(Path.Combine(dir, "reference.json")))!;
        var (code, output, error) = CliRunner.Run("search", "proxies", "--model", model, "--classes", "10", "--resolution", "64", "--weights",
            Path.Combine(dir, "model.pth"), "--input", Path.Combine(dir, "x.npy"), "--proxies", "synflow,naswot", "--threads", "1", "--out", Path.Combine(dir, "ours"));
        Assert.True(code == 0, error);
        var f = CliRunner.Figures(output);
        foreach (var proxy in new[] { "synflow", "naswot" })
        {
            double ours = Number(f, proxy), theirs = reference[proxy];
            Assert.True(Math.Abs(ours - theirs) <= 1e-6 * Math.Abs(theirs), $"{model} {proxy}: ours {ours:R}, the reference's {theirs:R}");
        }
    }

    [Fact]
    public void SampledGenotypesAreScoredReproduciblyAndCorrelatedWithAccuracies()
    {
        var dir = Directory.CreateTempSubdirectory("proxies").FullName;
        string[] Args(string outDir) =>
            ["search", "proxies", "--space", Space, "--count", "4", "--seed", "3", "--dataset", "synthetic", "--subset", "64", "--batch", "8", "--threads", "1",
                "--out", outDir];
        var (code, output, err) = CliRunner.Run(Args(Path.Combine(dir, "a")));
        Assert.True(code == 0, err);
        Assert.Contains("networks 4", output);
        var rows = CsvTable.Read(Path.Combine(dir, "a", "proxies.csv"));
        Assert.Equal(4, rows.Count);
        Assert.Equal(["name", "genotype", "params", "macs", "synflow", "naswot", "snip", "grad_norm", "fisher", "jacob_cov", "seconds"], rows[0].Keys.ToArray());
        Assert.Equal("random-quick-0", rows[0]["name"]);
        Assert.Contains("normal:", rows[0]["genotype"]);
        Assert.All(rows, r => Assert.True(double.Parse(r["synflow"], CultureInfo.InvariantCulture) > 0));
        // The same seed gives the same networks, batch and scores.
        (code, _, err) = CliRunner.Run(Args(Path.Combine(dir, "b")));
        Assert.True(code == 0, err);
        var again = CsvTable.Read(Path.Combine(dir, "b", "proxies.csv"));
        foreach (var proxy in new[] { "params", "macs", "synflow", "naswot", "snip", "grad_norm", "fisher", "jacob_cov" })
            Assert.Equal(rows.Select(r => r[proxy]), again.Select(r => r[proxy]));

        // Accuracies by name (a made-up ordering by params): params correlates perfectly, and the table says so.
        var accuracies = Path.Combine(dir, "acc.csv");
        CsvTable.Write(accuracies, ["name", "accuracy"], rows.Select(r => new[] { r["name"], r["params"] }));
        (code, output, err) = CliRunner.Run("search", "proxies", "--scores", Path.Combine(dir, "a", "proxies.csv"), "--against", accuracies, "--out", Path.Combine(dir, "c"));
        Assert.True(code == 0, err);
        var table = CsvTable.Read(Path.Combine(dir, "c", "proxy_correlation.csv"));
        Assert.Equal(["synflow", "naswot", "snip", "grad_norm", "fisher", "jacob_cov", "params", "macs"], table.Select(r => r["proxy"]).Order().ToArray().OrderBy(p => Array.IndexOf(
            new[] { "synflow", "naswot", "snip", "grad_norm", "fisher", "jacob_cov", "params", "macs" }, p)).ToArray());
        var paramsRow = table.Single(r => r["proxy"] == "params");
        Assert.Equal("4", paramsRow["n"]);
        Assert.Equal(1.0, double.Parse(paramsRow["spearman"], CultureInfo.InvariantCulture), 12);
        Assert.Contains("beats_params", output);
    }

    [Fact]
    public void BadInputIsExitTwoAndWritesNothing()
    {
        var dir = Directory.CreateTempSubdirectory("proxies").FullName;
        var outDir = Path.Combine(dir, "out");
        var (code, _, err) = CliRunner.Run("search", "proxies", "--model", "mobilenet_v2", "--dataset", "synthetic", "--proxies", "synflow,zico", "--out", outDir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("unknown proxy 'zico'", err);
        Assert.False(Directory.Exists(outDir));

        // A batch of 28×28 grayscale images for a 3×64×64 model.
        var npy = Path.Combine(dir, "x.npy");
        WriteNpy(npy, new float[4 * 28 * 28], [4, 1, 28, 28]);
        (code, _, err) = CliRunner.Run("search", "proxies", "--model", "mobilenet_v2", "--resolution", "64", "--classes", "10", "--input", npy,
            "--proxies", "synflow,naswot", "--out", outDir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("does not fit mobilenet_v2: expected [N >= 2, 3, 64, 64]", err);
        Assert.False(Directory.Exists(outDir));

        // A loss proxy without labels.
        (code, _, err) = CliRunner.Run("search", "proxies", "--model", "mobilenet_v2", "--width-mult", "0.25", "--resolution", "28", "--in-channels", "1",
            "--classes", "10", "--small-input", "--input", npy, "--proxies", "naswot,snip", "--out", outDir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("snip needs labels", err);
        Assert.False(Directory.Exists(outDir));
    }

    /// <summary>A float32 .npy file (version 1.0).</summary>
    internal static void WriteNpy(string path, float[] values, long[] shape)
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}{(shape.Length == 1 ? "," : "")}), }}";
        header = header.PadRight(((header.Length + 11) / 64 + 1) * 64 - 11) + "\n";
        using var f = File.Create(path);
        f.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        f.Write(BitConverter.GetBytes((ushort)header.Length));
        f.Write(System.Text.Encoding.Latin1.GetBytes(header));
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        f.Write(bytes);
    }
}
