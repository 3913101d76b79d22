using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Research.Core.Csv;
using Research.Models.Plugins;
using Research.Search.Tests;

namespace Research.Cli.Tests;

/// <summary>
/// examples/CustomBlock, a project of its own that references the library, adds a block kind
/// (Fused-MBConv, code fm): its program counts, searches and exports with it, and its assembly
/// given as --plugin brings the kind to every command (models show, train, export, predict,
/// search darts); what is wrong with a plugin is bad input naming the file.
/// </summary>
public class PluginTests
{
    private static readonly string Example = Path.Combine(TestPaths.Repo, "examples", "CustomBlock");

    private static string Configuration => AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";

    private static string Dll => Path.Combine(Example, "bin", Configuration, "net10.0", "CustomBlock.dll");

    private static string Spec => Path.Combine(Example, "fused.yaml");

    [Fact]
    public void TheExampleProgramCountsSearchesAndExportsItsBlock()
    {
        var outDir = Directory.CreateTempSubdirectory("custom-block").FullName;
        var info = new ProcessStartInfo(Path.ChangeExtension(Dll, null)) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(outDir);
        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, err.Result + output);
        Assert.Contains("spec fused_net: params 110,638 (built 110,638)", output);
        Assert.Contains("genotype normal:", output);
        foreach (var onnx in new[] { "fused_net.onnx", "searched.onnx" })
        {
            using var session = new InferenceSession(Path.Combine(outDir, onnx));
            var input = new DenseTensor<float>(new float[28 * 28], [1, 1, 28, 28]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
            Assert.Equal([1, 10], results.Single().AsTensor<float>().Dimensions.ToArray());
        }
    }

    [Fact]
    public void ThePluginBringsTheKindToTheCommands()
    {
        var dir = Directory.CreateTempSubdirectory("plugin").FullName;
        var (code, output, err) = CliRunner.Run("models", "show", Spec, "--plugin", Dll, "--format", "json");
        Assert.True(code == 0, err);
        Assert.Equal(110_638, JsonDocument.Parse(output).RootElement.GetProperty("params").GetInt64());

        var run = Path.Combine(dir, "train");
        (code, _, err) = CliRunner.Run("train", "--model", Spec, "--plugin", Dll, "--dataset", "synthetic", "--subset", "64", "--epochs", "1", "--batch", "32",
            "--threads", "1", "--out", run);
        Assert.True(code == 0, err);
        var onnx = Path.Combine(dir, "fused.onnx");
        (code, _, err) = CliRunner.Run("export", "--weights", Path.Combine(run, "model.safetensors"), "--format", "onnx", "--out", onnx, "--dynamic-batch", "--plugin", Dll);
        Assert.True(code == 0, err);

        // ONNX Runtime on the exported graph gives the logits `predict` gives with our engine.
        var x = Enumerable.Range(0, 2 * 28 * 28).Select(i => (float)Math.Sin(i * 0.37)).ToArray();
        var npy = Path.Combine(dir, "x.npy");
        WriteNpy(npy, x, [2, 1, 28, 28]);
        var csv = Path.Combine(dir, "predicted.csv");
        (code, _, err) = CliRunner.Run("predict", "--weights", Path.Combine(run, "model.safetensors"), "--input", npy, "--logits", "--top", "1", "--out", csv,
            "--threads", "1", "--plugin", Dll);
        Assert.True(code == 0, err);
        // Logit columns are named by the classes (synthetic's: "bar 0°", ...), in class order.
        var logits = File.ReadLines(csv).First().Split(',').Where(c => c.StartsWith("logit_", StringComparison.Ordinal)).ToList();
        Assert.Equal(10, logits.Count);
        var ours = CsvTable.Read(csv).SelectMany(r => logits.Select(c => float.Parse(r[c], CultureInfo.InvariantCulture))).ToArray();
        using var session = new InferenceSession(onnx);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(x, [2, 1, 28, 28]))]);
        var theirs = results.Single().AsTensor<float>().ToArray();
        Assert.True(ours.Zip(theirs, (a, b) => Math.Abs((double)a - b)).Max() < 1e-4);

        (code, _, err) = CliRunner.Run("search", "darts", "--space", Path.Combine(Example, "space.yaml"), "--plugin", Dll, "--dataset", "synthetic",
            "--subset", "64", "--epochs", "1", "--batch", "32", "--eval-images", "32", "--threads", "1", "--out", Path.Combine(dir, "search"));
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(dir, "search", "genotype.json")));
    }

    [Fact]
    public void WhatIsWrongWithAPluginIsBadInputNamingTheFile()
    {
        var notAssembly = Path.Combine(Directory.CreateTempSubdirectory("plugin-bad").FullName, "notes.dll");
        File.WriteAllText(notAssembly, "not a .NET assembly\n");
        var (code, _, err) = CliRunner.Run("models", "list", "--plugin", notAssembly);
        Assert.Equal(2, code);
        Assert.Contains($"--plugin {notAssembly}: not a .NET assembly", err);

        (code, _, err) = CliRunner.Run("models", "list", "--plugin", notAssembly + ".missing");
        Assert.Equal(2, code);
        Assert.Contains("no such file", err);

        // A plugin whose kind's code is taken: the registration fails naming the file and the code.
        var registries = new PluginRegistries(new Research.Models.Blocks.BlockKindRegistry(), new Research.Models.Cells.CellOpFormRegistry(),
            new Research.Models.Zoo.ModelRegistry());
        registries.BlockKinds.Register(new TakenCode());
        var e = Assert.Throws<ArgumentException>(() => PluginLoader.Load(Dll, registries));
        Assert.Contains($"--plugin {Dll}", e.Message);
        Assert.Contains("block kind 'fm'", e.Message);
        Assert.Contains("already registered", e.Message);
    }

    [Fact]
    public void WithoutThePluginTheKindIsUnknown()
    {
        var registries = new PluginRegistries(new Research.Models.Blocks.BlockKindRegistry(), new Research.Models.Cells.CellOpFormRegistry(),
            new Research.Models.Zoo.ModelRegistry());
        var e = Assert.Throws<Research.Models.Specs.SpecFormatException>(() => Research.Models.Specs.BlockSpec.Parse("fm_r1_k3_s1_e4_c16", registries.BlockKinds));
        Assert.Contains("unknown block type 'fm'", e.Message);
    }

    /// <summary>Another kind with the example's code.</summary>
    private sealed class TakenCode : Research.Models.Blocks.BlockKind
    {
        public override string Code => "fm";
        public override string Description => "taken";
        public override Research.Models.Blocks.BlockTokens Accepts => Research.Models.Blocks.BlockTokens.None;
        public override IReadOnlyList<string> Examples => [];
        public override Research.Torch.Modules.Module<Research.Torch.Tensor, Research.Torch.Tensor> Build(Research.Models.Blocks.BlockPlace place, Research.Models.Blocks.BlockContext ctx) =>
            throw new NotSupportedException();
        public override void Cost(Research.Models.Cost.CostWalker walker, string path, Research.Models.Blocks.BlockPlace place, int channelDivisor) =>
            throw new NotSupportedException();
        public override IReadOnlyList<Type> ModuleTypes => [];
        public override string Export(Research.Models.Export.OnnxEmitter emitter, Research.Torch.Modules.Module module, string input, string path) =>
            throw new NotSupportedException();
    }

    private static void WriteNpy(string path, float[] data, int[] shape)
    {
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}), }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var f = File.Create(path);
        f.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        f.Write(BitConverter.GetBytes((ushort)header.Length));
        f.Write(Encoding.ASCII.GetBytes(header));
        var bytes = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        f.Write(bytes);
    }
}
