// Prints `name value` lines: for each model and batch, our eval-mode forward and ONNX Runtime's on
// the graph we export (batch norm folded), one thread each, medians of repeated runs, their ratio,
// and the largest difference between the two outputs (weights and batch-norm statistics random, so
// that folding is exercised with values far from the identity). With --pytorch, for the families
// torchvision builds, PyTorch's eager forward too (bench/pytorch_eval_latency.py, run first, alone):
// it draws the weights and saves them, and ours loads that .pth, so all three run the same weights.
//   dotnet run --project bench/OnnxLatency -c Release -- [--models efficientnet_b0,mobilenet_v2|all] [--batches 1,32] [--resolution 224] [--runs 10] [--pytorch]
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Research.Cli.Benchmarks;
using Research.Models.Export;
using Research.Models.Networks;
using Research.Models.Weights;
using Research.Models.Zoo;
using Research.Torch;
using Research.Torch.IO;
using Research.Torch.Modules;

string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
string[] families = ["efficientnet_b0", "mobilenet_v2", "mobilenet_v3_small", "mobilenext_1_0", "ghostnet_1_0", "shufflenet_v2_x0_5"];
var modelsArg = Arg("--models", "efficientnet_b0,mobilenet_v2");
var models = modelsArg == "all" ? families : modelsArg.Split(',');
var batches = Arg("--batches", "1,32").Split(',').Select(int.Parse).ToArray();
int resolution = int.Parse(Arg("--resolution", "224"), CultureInfo.InvariantCulture), runs = int.Parse(Arg("--runs", "10"), CultureInfo.InvariantCulture);
bool withPyTorch = args.Contains("--pytorch");
string[] torchvisionBuilds = ["efficientnet_b0", "mobilenet_v2", "mobilenet_v3_small", "shufflenet_v2_x0_5"];
torch.set_num_threads(1);
string F(double v, int digits) => v.ToString("F" + digits, CultureInfo.InvariantCulture);
static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
Console.WriteLine($"libtorch {torch.version} onnxruntime {OrtEnv.Instance().GetVersionString()} threads 1 resolution {resolution} runs {runs}");

foreach (var name in models)
{
    torch.manual_seed(0);
    using var net = NetworkBuilder.Build(ModelRegistry.Default.Create(name));
    IReadOnlyDictionary<string, string> pytorchMs = new Dictionary<string, string>();
    if (withPyTorch && torchvisionBuilds.Contains(name))
    {
        var weights = Path.Combine(Path.GetTempPath(), $"latency-{name}-{Environment.ProcessId}.pth");
        try
        {
            pytorchMs = PyTorchReference.Run(PyTorchReference.DefaultScript("pytorch_eval_latency.py"),
                ["--model", name, "--batches", string.Join(',', batches), "--resolution", resolution.ToString(CultureInfo.InvariantCulture),
                 "--runs", runs.ToString(CultureInfo.InvariantCulture), "--threads", "1", "--save", weights]);
            using var tensors = WeightFile.Load(weights);
            WeightImport.Load(net, tensors, weights, newClassifier: false);
        }
        finally { File.Delete(weights); }
    }
    else
        using (torch.no_grad())
            foreach (var (_, m) in net.named_modules())
                if (m is BatchNorm2d bn)
                {
                    bn.running_mean!.uniform_(-0.5, 0.5);
                    bn.running_var!.uniform_(0.5, 2.0);
                    bn.weight?.uniform_(0.5, 1.5);
                    bn.bias?.uniform_(-0.5, 0.5);
                }
    net.eval();
    foreach (var batch in batches)
    {
        var path = Path.Combine(Path.GetTempPath(), $"latency-{name}-{batch}.onnx");
        OnnxExporter.Save(net, path, new OnnxExportOptions { Resolution = resolution, Batch = batch });
        using var x = torch.randn([batch, 3, resolution, resolution]);
        var input = new DenseTensor<float>(x.ToArray<float>(), [batch, 3, resolution, resolution]);
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(path, options);
        float[] ours = [], theirs = [];
        var oursMs = new List<double>();
        var ortMs = new List<double>();
        for (int r = 0; r <= runs; r++) // run 0 warms both up and is not counted
        {
            var clock = Stopwatch.StartNew();
            // The scope frees every intermediate as soon as the forward is done, as PyTorch's reference
            // counting does; left to the finalizers, a batch of 32 maps fresh memory for each activation.
            using (torch.no_grad())
            using (torch.NewDisposeScope())
                ours = net.call(x).ToArray<float>();
            if (r > 0) oursMs.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            using (var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, input)]))
                theirs = results.First().AsTensor<float>().ToArray();
            if (r > 0) ortMs.Add(clock.Elapsed.TotalMilliseconds);
        }
        double diff = ours.Zip(theirs, (a, b) => Math.Abs((double)a - b)).Max();
        string tag = $"{name}_b{batch}";
        Console.WriteLine($"{tag}_ours_ms {F(Median(oursMs), 2)}");
        Console.WriteLine($"{tag}_onnxruntime_ms {F(Median(ortMs), 2)}");
        Console.WriteLine($"{tag}_ratio_ours_over_onnxruntime {F(Median(oursMs) / Median(ortMs), 3)}");
        if (pytorchMs.TryGetValue($"{tag}_pytorch_ms", out var pyText))
        {
            double py = double.Parse(pyText, CultureInfo.InvariantCulture);
            Console.WriteLine($"{tag}_pytorch_ms {F(py, 2)}");
            Console.WriteLine($"{tag}_ratio_ours_over_pytorch {F(Median(oursMs) / py, 3)}");
        }
        double scale = ours.Max(v => Math.Abs((double)v));
        Console.WriteLine($"{tag}_max_abs_difference {diff.ToString("E2", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"{tag}_max_abs_logit {scale.ToString("E2", CultureInfo.InvariantCulture)}");
        File.Delete(path);
    }
}

