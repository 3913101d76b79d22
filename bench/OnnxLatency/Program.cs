// Prints `name value` lines: for each model and batch, the inference forward of every engine on the
// same network, interleaved run by run (medians of --runs after two untimed runs each): our eager
// eval-mode forward (the training graph, batch norm unfolded), our libtorch engine (`--engine
// libtorch`: batch norm folded, frozen TorchScript on oneDNN), our onnxruntime engine (`--engine
// onnxruntime`: the exported graph in memory), and ONNX Runtime on the exported file as a user would
// run it; their ratios and each engine's largest difference from the eager logits (weights and
// batch-norm statistics random, so that folding is exercised with values far from the identity).
// With --pytorch, for the families torchvision builds, PyTorch's eager forward and its
// torch.jit.optimize_for_inference (bench/pytorch_eval_latency.py, run first, alone): it draws the
// weights and saves them, and ours loads that .pth, so every side runs the same weights.
//   dotnet run --project bench/OnnxLatency -c Release -- [--models efficientnet_b0,mobilenet_v2|all] [--batches 1,32] [--resolution 224] [--runs 10] [--threads 1] [--pytorch]
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Research.Cli.Benchmarks;
using Research.Models.Export;
using Research.Models.Inference;
using Research.Models.Networks;
using Research.Models.Weights;
using Research.Models.Zoo;
using Research.Torch;
using Research.Torch.IO;
using Research.Torch.Modules;
using Tensor = Research.Torch.Tensor;

string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
int IntArg(string name, string fallback) => int.Parse(Arg(name, fallback), CultureInfo.InvariantCulture);
string[] families = ["efficientnet_b0", "mobilenet_v2", "mobilenet_v3_small", "mobilenext_1_0", "ghostnet_1_0", "shufflenet_v2_x0_5"];
var modelsArg = Arg("--models", "efficientnet_b0,mobilenet_v2");
var models = modelsArg == "all" ? families : modelsArg.Split(',');
var batches = Arg("--batches", "1,32").Split(',').Select(int.Parse).ToArray();
int resolution = IntArg("--resolution", "224"), runs = IntArg("--runs", "10"), threads = IntArg("--threads", "1");
bool withPyTorch = args.Contains("--pytorch");
string[] torchvisionBuilds = ["efficientnet_b0", "mobilenet_v2", "mobilenet_v3_small", "shufflenet_v2_x0_5"];
torch.set_num_threads(threads);
string F(double v, int digits) => v.ToString("F" + digits, CultureInfo.InvariantCulture);
static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
Console.WriteLine($"libtorch {torch.version} onnxruntime {OrtEnv.Instance().GetVersionString()} threads {threads} resolution {resolution} runs {runs}");
Console.WriteLine($"blas {BlasLibrary.InProcess()?.ToString() ?? "none"}");

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
                 "--runs", runs.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture), "--frozen", "--save", weights]);
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
    using var libtorch = InferenceEngine.Create(net, new InferenceConfig { Engine = InferenceConfig.LibTorch }, Device.CPU);
    using var onnxruntime = InferenceEngine.Create(net, new InferenceConfig { Engine = InferenceConfig.OnnxRuntime }, Device.CPU);
    foreach (var batch in batches)
    {
        var path = Path.Combine(Path.GetTempPath(), $"latency-{name}-{batch}-{Environment.ProcessId}.onnx");
        OnnxExporter.Save(net, path, new OnnxExportOptions { Resolution = resolution, Batch = batch });
        using var x = torch.randn([batch, 3, resolution, resolution]);
        var input = new DenseTensor<float>(x.ToArray<float>(), [batch, 3, resolution, resolution]);
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(path, options);
        File.Delete(path);
        // Each side: a forward that returns the logits. The scope frees every intermediate as soon as
        // the forward is done, as PyTorch's reference counting does.
        float[] Ours(Module<Tensor, Tensor> m)
        {
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            return m.call(x).ToArray<float>();
        }
        float[] Runtime()
        {
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, input)]);
            return results.First().AsTensor<float>().ToArray();
        }
        var sides = new (string Name, Func<float[]> Forward)[]
        {
            ("eager", () => Ours(net)), ("libtorch_engine", () => Ours(libtorch)), ("onnxruntime_engine", () => Ours(onnxruntime)), ("onnxruntime", Runtime),
        };
        var ms = sides.ToDictionary(s => s.Name, _ => new List<double>());
        var logits = new Dictionary<string, float[]>();
        for (int r = -2; r < runs; r++) // two untimed runs: a graph is built and profiled on first use
            foreach (var (side, forward) in sides)
            {
                var clock = Stopwatch.StartNew();
                logits[side] = forward();
                if (r >= 0) ms[side].Add(clock.Elapsed.TotalMilliseconds);
            }
        string tag = $"{name}_b{batch}";
        foreach (var (side, _) in sides) Console.WriteLine($"{tag}_{side}_ms {F(Median(ms[side]), 2)}");
        double Ratio(string a, string b) => Median(ms[a]) / Median(ms[b]);
        Console.WriteLine($"{tag}_ratio_libtorch_engine_over_onnxruntime {F(Ratio("libtorch_engine", "onnxruntime"), 3)}");
        Console.WriteLine($"{tag}_ratio_libtorch_engine_over_eager {F(Ratio("libtorch_engine", "eager"), 3)}");
        Console.WriteLine($"{tag}_ratio_onnxruntime_engine_over_onnxruntime {F(Ratio("onnxruntime_engine", "onnxruntime"), 3)}");
        foreach (var reference in new[] { "pytorch", "pytorch_frozen" })
            if (pytorchMs.TryGetValue($"{tag}_{reference}_ms", out var text))
            {
                double py = double.Parse(text, CultureInfo.InvariantCulture);
                Console.WriteLine($"{tag}_{reference}_ms {F(py, 2)}");
                Console.WriteLine($"{tag}_ratio_eager_over_{reference} {F(Median(ms["eager"]) / py, 3)}");
                Console.WriteLine($"{tag}_ratio_libtorch_engine_over_{reference} {F(Median(ms["libtorch_engine"]) / py, 3)}");
            }
        var eager = logits["eager"];
        foreach (var side in new[] { "libtorch_engine", "onnxruntime_engine", "onnxruntime" })
        {
            double diff = eager.Zip(logits[side], (a, b) => Math.Abs((double)a - b)).Max();
            Console.WriteLine($"{tag}_{side}_max_abs_difference {diff.ToString("E2", CultureInfo.InvariantCulture)}");
        }
        Console.WriteLine($"{tag}_max_abs_logit {eager.Max(v => Math.Abs((double)v)).ToString("E2", CultureInfo.InvariantCulture)}");
    }
}
