using System.Text;
using Research.Experiments.Config;
using Research.Models.Cells;
using Research.Models.Networks;
using Research.Models.Specs;
using Research.Search.Darts;
using Research.Torch;
using Research.Torch.IO;
using Research.Torch.IO.Pth;
using Research.Training.Data;

namespace Research.Fuzz;

/// <summary>
/// One harness per input format that can come from a stranger. The contract: any input either
/// parses or raises the format's own exception (naming the file or field); any other exception
/// escapes and counts as a crash, as do a hang, a native abort and unbounded allocation (the
/// fuzzer's memory limit). Parsers that read files get the input as a file in a scratch folder.
/// </summary>
public static class Harnesses
{
    public sealed record Harness(string Name, string Description, Action<byte[], string> Run, Type[] Allowed);

    /// <summary>The scratch folder the file-reading harnesses write inputs into (one per process).</summary>
    public static string Scratch { get; } = Directory.CreateTempSubdirectory("research-fuzz-").FullName;

    public static IReadOnlyList<Harness> All { get; } =
    [
        new("safetensors", "a weights or checkpoint file: header JSON and tensor bodies, made into libtorch tensors", SafeTensorsFile,
            [typeof(SafeTensorsFormatException)]),
        new("pth", "a torch.save zip: archive, restricted unpickler, storages, made into libtorch tensors", PthFile,
            [typeof(PthFormatException)]),
        new("idx", "Fashion-MNIST/MNIST IDX images, plain or gzip", Idx, [typeof(InvalidDataException)]),
        new("cifar", "a CIFAR-10 binary batch", Cifar, [typeof(InvalidDataException)]),
        new("image", "an image file decoded to 3x32x32 (PNG, JPEG, BMP, GIF, WebP, TIFF, TGA, PNM)", Image, [typeof(InvalidDataException)]),
        new("experiment", "an experiment YAML file", Experiment, [typeof(ExperimentConfigException)]),
        new("spec", "a network spec YAML file (and every block's text form)", Spec, [typeof(SpecFormatException)]),
        new("block", "a block's text form, e.g. ir_r2_k3_s2_e6_c24_se0.25", Block, [typeof(SpecFormatException)]),
        new("genotype", "a genotype JSON file", GenotypeJson, [typeof(SpecFormatException)]),
        new("space", "a DARTS search-space YAML file", Space, [typeof(SpecFormatException)]),
        new("checkpoint", "a training checkpoint loaded into a small network: metadata, names, shapes", CheckpointFile,
            [typeof(SafeTensorsFormatException), typeof(InvalidDataException), typeof(ArgumentException)]),
        new("npy", "a NumPy .npy float32 array (predict's input), read whole and in ranges", Npy, [typeof(InvalidDataException)]),
        new("csvlist", "a dataset's CSV list (path,label[,split]) beside images a.png and b.png: sources, labels, splits, the cache key", CsvList,
            [typeof(InvalidDataException)]),
    ];

    public static Harness Find(string name) => All.FirstOrDefault(h => h.Name == name)
        ?? throw new ArgumentException($"unknown format '{name}' (formats: {string.Join(", ", All.Select(h => h.Name))})");

    /// <summary>Runs one input; returns null when it parsed, the allowed exception's message when it was refused, and throws anything else.</summary>
    public static string? Check(Harness harness, byte[] input)
    {
        try
        {
            harness.Run(input, Scratch);
            return null;
        }
        catch (Exception e) when (harness.Allowed.Any(t => t.IsInstanceOfType(e)))
        {
            return e.Message;
        }
    }

    private static string Write(string folder, string name, byte[] input)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, input);
        return path;
    }

    private static string Text(byte[] input) => Encoding.UTF8.GetString(input);

    private static void SafeTensorsFile(byte[] input, string folder)
    {
        using var file = SafeTensors.Load(Write(folder, "input.safetensors", input));
        foreach (var name in file.Keys)
        {
            var t = file[name];
            _ = t.numel();
        }
    }

    private static void PthFile(byte[] input, string folder)
    {
        using var dict = Research.Torch.IO.Pth.PthFile.Load(Write(folder, "input.pth", input));
        foreach (var (_, t) in dict) _ = t.numel();
    }

    private static void Idx(byte[] input, string folder)
    {
        var images = IdxReader.ReadImages(Write(folder, "input-idx3-ubyte", input));
        _ = images.Pixels.Length;
    }

    private static void Cifar(byte[] input, string folder)
    {
        var dir = Path.Combine(folder, "cifar");
        Directory.CreateDirectory(dir);
        foreach (var name in new[] { "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin" })
            Write(dir, name, input);
        var pair = Research.Training.Data.Cifar.Load10(dir);
        _ = pair.Train.Count;
    }

    private static void Image(byte[] input, string folder)
    {
        var buffer = new byte[3 * 32 * 32];
        ImageDecoding.Decode(Write(folder, "input.img", input), 3, 32, 32, buffer);
    }

    // Relative paths resolve where the repository's experiment files live, so their references (search spaces, tables) exist.
    private static readonly Lazy<string> ExperimentsFolder = new(() => Path.Combine(Seeds.Repo(), "experiments"));

    private static void Experiment(byte[] input, string folder) => ExperimentFile.Parse(Text(input), Path.Combine(folder, "input.yaml"), ExperimentsFolder.Value);

    private static void Spec(byte[] input, string folder)
    {
        var spec = SpecYaml.Parse(Text(input), "input.yaml");
        spec.Validate();
        _ = SpecYaml.ToYaml(spec);
    }

    private static void Block(byte[] input, string folder)
    {
        var block = BlockSpec.Parse(Text(input));
        // The text form round-trips: what parses prints as text that parses to the same block.
        if (BlockSpec.Parse(block.ToString()) != block) throw new InvalidOperationException($"'{block}' does not round-trip");
    }

    private static void GenotypeJson(byte[] input, string folder)
    {
        var file = GenotypeFile.Parse(Text(input), "input.json");
        _ = file.Genotype.ToString();
    }

    private static void Space(byte[] input, string folder) => SearchSpace.Parse(Text(input), "input.yaml");

    private static void Npy(byte[] input, string folder)
    {
        var path = Write(folder, "input.npy", input);
        using (var whole = NpyFile.LoadFloat32(path)) _ = whole.numel();
        using var npy = NpyFile.Open(path);
        // predict reads a batch at a time: the first and the last element ranges.
        long count = npy.ElementCount;
        int batch = (int)Math.Min(count, 1 << 16);
        _ = npy.Read(0, batch);
        _ = npy.Read(count - batch, batch);
    }

    /// <summary>The images a CSV list may name, written once into the scratch folder (the seeds use these names).</summary>
    private static readonly Lazy<bool> ListedImages = new(() =>
    {
        foreach (var name in new[] { "a.png", "b.png" })
        {
            using var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.L8>(4, 4);
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, Path.Combine(Scratch, name));
        }
        return true;
    });

    private static void CsvList(byte[] input, string folder)
    {
        _ = ListedImages.Value;
        var source = ImageSource.FromCsv(Write(folder, "list.csv", input));
        _ = ImageCache.Key(source, 1, 4, BadImagePolicy.Skip);
        foreach (var e in source.Entries) _ = source.Where(e);
    }

    /// <summary>The network checkpoints are loaded into (the seeds' checkpoint is one of it).</summary>
    internal static readonly Lazy<NetworkSpec> SmallNet = new(() => SpecYaml.Parse("""
        name: fuzz
        in_channels: 1
        classes: 10
        resolution: 28
        stem: cn_r1_k3_s2_c8_arelu
        stages:
          - [ir_r1_k3_s2_e2_c16_arelu]
        head: {conv: 32, conv_act: relu, dropout: 0}
        """, "fuzz"));

    private static void CheckpointFile(byte[] input, string folder)
    {
        using var net = NetworkBuilder.Build(SmallNet.Value);
        using var sgd = new Research.Torch.Optim.SGD(net.parameters(), 0.1, momentum: 0.9);
        Research.Torch.IO.Checkpoint.Load(Write(folder, "checkpoint.safetensors", input), net, sgd, restoreRng: false);
    }
}
