using System.Globalization;
using CustomBlock;
using Research.Models.Cells;
using Research.Models.Cost;
using Research.Models.Export;
using Research.Models.Networks;
using Research.Models.Plugins;
using Research.Models.Specs;
using Research.Search;
using Research.Search.Darts;
using Research.Torch;
using Research.Training.Data;

// Adds a block kind from this assembly, counts a network that uses it, searches a space that
// offers it as an op, and exports both networks to ONNX. Usage: CustomBlock [OUT_DIR]
string outDir = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "custom-block");
Directory.CreateDirectory(outDir);
string here = AppContext.BaseDirectory;
static string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);

// 1. Register: the same call the CLI makes for `--plugin CustomBlock.dll`.
new Plugin().Register(PluginRegistries.Default);

// 2. A spec in the text form, counted without building and checked against the built module.
var spec = SpecYaml.Load(Path.Combine(here, "fused.yaml"));
var cost = CostModel.Estimate(spec);
torch.manual_seed(0);
using (var net = NetworkBuilder.Build(spec))
{
    long built = net.parameters().Sum(p => p.numel());
    Console.WriteLine($"spec {spec.Name}: params {N(cost.Params)} (built {N(built)}), MACs {N(cost.Macs)}");
    if (built != cost.Params) throw new InvalidOperationException("the cost rule and the module disagree");
    string onnx = Path.Combine(outDir, "fused_net.onnx");
    OnnxExporter.Save(net, onnx, new OnnxExportOptions { Resolution = spec.Resolution });
    Console.WriteLine($"onnx {onnx}");
}

// 3. A short DARTS search over a space whose ops include fm, on generated images.
var space = SearchSpace.Load(Path.Combine(here, "space.yaml"));
var data = new DatasetPair(Synthetic.Create(256, 10, 1, 28, seed: 1), Synthetic.Create(64, 10, 1, 28, seed: 2));
var cfg = new DartsConfig { Epochs = 1, EvalImages = 64, Recipe = new CellSearchRecipe { BatchSize = 32 } };
var result = DartsSearch.Run(space, data, "synthetic", cfg, new DartsOptions { OutDir = Path.Combine(outDir, "search") });
Console.WriteLine($"genotype {result.Genotype.Genotype}");

// 4. The searched network: counted and exported like any other.
var searched = result.Genotype.ToSpec() with { InChannels = 1, Classes = 10, Resolution = 28 };
using (var net = NetworkBuilder.Build(searched))
{
    string onnx = Path.Combine(outDir, "searched.onnx");
    OnnxExporter.Save(net, onnx, new OnnxExportOptions { Resolution = 28 });
    Console.WriteLine($"searched params {N(CostModel.Estimate(searched).Params)}, onnx {onnx}");
}
