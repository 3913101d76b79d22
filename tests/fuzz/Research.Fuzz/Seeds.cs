using System.IO.Compression;
using System.Text;
using Research.Models.Networks;
using Research.Models.Specs;
using Research.Torch;
using Research.Torch.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Research.Fuzz;

/// <summary>Small valid inputs per format, written by the libraries themselves (and a few edge cases), to start each fuzzer from.</summary>
public static class Seeds
{
    public static void Write(string root)
    {
        void Put(string format, string name, byte[] bytes)
        {
            var dir = Path.Combine(root, format);
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, name), bytes);
        }
        void PutText(string format, string name, string text) => Put(format, name, Encoding.UTF8.GetBytes(text));
        var scratch = Directory.CreateTempSubdirectory("research-seeds-").FullName;

        // safetensors: a few dtypes and shapes, with metadata.
        using (var a = torch.arange(0, 6, dtype: ScalarType.Float32).reshape(2, 3))
        using (var b = torch.tensor(new long[] { 1, -2, 3 }))
        using (var c = torch.zeros([2, 2], ScalarType.BFloat16))
        {
            var path = Path.Combine(scratch, "a.safetensors");
            SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b, ["c"] = c }, new Dictionary<string, string> { ["model"] = "seed" });
            Put("safetensors", "three.safetensors", File.ReadAllBytes(path));
        }
        // checkpoint: a real one of the harness's network.
        {
            using var net = NetworkBuilder.Build(Harnesses.SmallNet.Value);
            using var sgd = new Research.Torch.Optim.SGD(net.parameters(), 0.1, momentum: 0.9);
            var path = Path.Combine(scratch, "c.safetensors");
            Checkpoint.Save(path, net, sgd, metadata: new Dictionary<string, string> { ["epoch"] = "1" });
            Put("checkpoint", "checkpoint.safetensors", File.ReadAllBytes(path));
        }
        // pth: the committed torch.save files of the reader's tests, when present.
        var pthAssets = Path.Combine(Repo(), "tests", "Research.Torch.Tests", "assets", "pth");
        if (Directory.Exists(pthAssets))
            foreach (var f in Directory.GetFiles(pthAssets, "*.pt*").Where(f => new FileInfo(f).Length < 64 * 1024).Take(6))
                Put("pth", Path.GetFileName(f), File.ReadAllBytes(f));

        // idx: 2 images of 3x3, plain and gzip.
        var idx = new byte[] { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 3 }.Concat(Enumerable.Range(0, 18).Select(i => (byte)(i * 13))).ToArray();
        Put("idx", "two.idx", idx);
        using (var ms = new MemoryStream())
        {
            using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(idx);
            Put("idx", "two.idx.gz", ms.ToArray());
        }
        // npy: float32 arrays as NumPy writes them (header padded to 64 bytes), 4-d, 1-d and 0-d.
        foreach (var (name, shape) in new (string, long[])[] { ("batch.npy", [2, 1, 3, 3]), ("vector.npy", [5]), ("scalar.npy", []) })
        {
            long count = shape.Aggregate(1L, (n, d) => n * d);
            var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}{(shape.Length == 1 ? "," : "")}), }}";
            header = header.PadRight(header.Length + (64 - (10 + header.Length + 1) % 64) % 64) + "\n";
            var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 };
            bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
            bytes.AddRange(Encoding.ASCII.GetBytes(header));
            for (long i = 0; i < count; i++) bytes.AddRange(BitConverter.GetBytes(i * 0.5f - 1));
            Put("npy", name, [.. bytes]);
        }
        // csvlist: the forms a dataset list takes (names or numbers, splits, a header with other columns, quoting).
        PutText("csvlist", "names.csv", "path,label,split\na.png,cat,train\nb.png,dog,train\na.png,cat,test\nb.png,dog,val\n");
        PutText("csvlist", "numbers.csv", "path,label\na.png,0\nb.png,1\n");
        PutText("csvlist", "quoted.csv", "label,path,note\n\"c,at\",a.png,\"x \"\"y\"\"\"\ndog,b.png,\n");

        // cifar: two records (label + 3x32x32).
        Put("cifar", "two.bin", Enumerable.Range(0, 2 * 3073).Select(i => (byte)(i % 3073 == 0 ? i / 3073 : i * 7)).ToArray());

        // images: one of each common format, 5x4 RGB.
        using (var image = new Image<Rgb24>(5, 4))
        {
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 5; x++) image[x, y] = new Rgb24((byte)(x * 50), (byte)(y * 60), 128);
            foreach (var (name, save) in new (string, Action<Stream>)[]
                     {
                         ("a.png", s => image.SaveAsPng(s)), ("a.jpg", s => image.SaveAsJpeg(s)), ("a.bmp", s => image.SaveAsBmp(s)),
                         ("a.gif", s => image.SaveAsGif(s)), ("a.webp", s => image.SaveAsWebp(s)), ("a.tga", s => image.SaveAsTga(s)),
                         ("a.tiff", s => image.SaveAsTiff(s)), ("a.pbm", s => image.SaveAsPbm(s)),
                     })
            {
                using var ms = new MemoryStream();
                save(ms);
                Put("image", name, ms.ToArray());
            }
        }

        // Text formats: the repository's own files.
        foreach (var f in Directory.GetFiles(Path.Combine(Repo(), "experiments"), "*.yaml")) PutText("experiment", Path.GetFileName(f), File.ReadAllText(f));
        foreach (var f in Directory.GetFiles(Path.Combine(Repo(), "search-spaces"), "*.yaml")) PutText("space", Path.GetFileName(f), File.ReadAllText(f));
        foreach (var name in new[] { "mobilenet_v2", "efficientnet_b0", "ghostnet_1_0", "shufflenet_v2_x0_5", "mobilenext_1_0", "mobilenet_v3_small" })
            PutText("spec", name + ".yaml", SpecYaml.ToYaml(ModelSource.ResolveFor(name, new ModelOverrides(), null)));
        string[] blocks = ["ir_r2_k3_s2_e6_c24_se0.25_asilu", "ir_r1_k5_s2_x72_c40_hse0.25_arelu", "sg_r3_k3_s2_t6_c192_arelu6", "gb_r1_k5_s2_x72_c40_hse0.25_arelu",
            "sh_r4_s2_c116_arelu", "ds_r1_k3_s1_c64_arelu", "cn_r1_k3_s2_c24_arelu_mp"];
        for (int i = 0; i < blocks.Length; i++) PutText("block", $"block{i}.txt", blocks[i]);
        var genotypes = Directory.GetFiles(Path.Combine(Repo(), "tests"), "*genotype*.json", SearchOption.AllDirectories).Where(f => !f.Contains("/bin/")).Take(4).ToList();
        foreach (var f in genotypes) PutText("genotype", Path.GetFileName(f), File.ReadAllText(f));
        if (genotypes.Count == 0)
        {
            var space = Research.Search.Darts.SearchSpace.Load(Path.Combine(Repo(), "search-spaces", "quick.yaml"));
            var g = Research.Search.Darts.GenotypeDerivation.Random(space.Ops, space.Nodes, new Random(1));
            var path = Path.Combine(scratch, "g.json");
            new Research.Models.Cells.GenotypeFile("seed", g, space.Network).Save(path);
            PutText("genotype", "random.json", File.ReadAllText(path));
        }
        Directory.Delete(scratch, recursive: true);
    }

    /// <summary>The repository root (the folder holding Research.sln), found upwards from the program or the current folder.</summary>
    public static string Repo()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Research.sln"))) return d.FullName;
        throw new InvalidOperationException("the repository root (Research.sln) was not found above the program or the current folder");
    }
}
