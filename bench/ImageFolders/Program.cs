// dotnet run --project bench/ImageFolders -c Release -- png --dataset fashion-mnist --out DIR [--limit N]
// dotnet run --project bench/ImageFolders -c Release -- jpeg --out DIR --count N [--size 256] [--classes 10]
using System.Globalization;
using Research.Bench.ImageFolders;
using Research.Training.Data;

string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
int Int(string name, string fallback) => int.Parse(Arg(name, fallback), CultureInfo.InvariantCulture);
var outDir = Arg("--out", "") is { Length: > 0 } o ? o : throw new ArgumentException("--out DIR is required");
var clock = System.Diagnostics.Stopwatch.StartNew();
switch (args.FirstOrDefault())
{
    case "png":
        var data = new DataConfig { Name = Arg("--dataset", "fashion-mnist") }.Load(0);
        int? limit = args.Contains("--limit") ? Int("--limit", "0") : null;
        ImageFolderWriter.WritePng(data.Train, outDir, "train", limit);
        ImageFolderWriter.WritePng(data.Test, outDir, "test", limit);
        Console.WriteLine($"png_train {Math.Min(limit ?? data.Train.Count, data.Train.Count)} png_test {Math.Min(limit ?? data.Test.Count, data.Test.Count)} seconds {clock.Elapsed.TotalSeconds:F1}");
        break;
    case "jpeg":
        int count = Int("--count", "1000");
        ImageFolderWriter.WriteJpegs(outDir, count, Int("--size", "256"), Int("--classes", "10"), Int("--seed", "0"));
        Console.WriteLine($"jpeg {count} seconds {clock.Elapsed.TotalSeconds:F1}");
        break;
    default:
        Console.Error.WriteLine("usage: png --dataset NAME --out DIR [--limit N] | jpeg --out DIR --count N [--size S] [--classes K]");
        return 2;
}
return 0;
