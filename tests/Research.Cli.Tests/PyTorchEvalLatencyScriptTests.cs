using Research.Cli.Benchmarks;
using Research.Models.Networks;
using Research.Models.Weights;
using Research.Models.Zoo;
using Research.Torch.IO;
using Research.Torch.Modules;

namespace Research.Cli.Tests;

/// <summary>
/// bench/pytorch_eval_latency.py, the reference bench/OnnxLatency --pytorch runs: it prints a
/// latency per batch and saves weights with the drawn batch-norm statistics, which load into our
/// network by torchvision's names (so both forwards run the same weights).
/// </summary>
public class PyTorchEvalLatencyScriptTests
{
    [PyTorchFact]
    public void PrintsALatencyPerBatchAndSavesWeightsOursLoad()
    {
        var dir = Directory.CreateTempSubdirectory("eval-latency").FullName;
        try
        {
            var pth = Path.Combine(dir, "weights.pth");
            var figures = PyTorchReference.Run(PyTorchReference.DefaultScript("pytorch_eval_latency.py"),
                ["--model", "mobilenet_v3_small", "--batches", "1,2", "--resolution", "32", "--runs", "1", "--save", pth]);
            Assert.True(PyTorchReference.Number(figures, "mobilenet_v3_small_b1_pytorch_ms") > 0);
            Assert.True(PyTorchReference.Number(figures, "mobilenet_v3_small_b2_pytorch_ms") > 0);

            using var net = NetworkBuilder.Build(ModelRegistry.Default.Create("mobilenet_v3_small"));
            using (var tensors = WeightFile.Load(pth))
                WeightImport.Load(net, tensors, pth, newClassifier: false);
            var norms = net.named_modules().Select(m => m.module).OfType<BatchNorm2d>().ToList();
            Assert.NotEmpty(norms);
            foreach (var bn in norms)
            {
                // A fresh network has running var 1 and weight 1; the script's draws are U(0.5, 2) and U(0.5, 1.5).
                var variance = bn.running_var!.ToArray<float>();
                Assert.All(variance, v => Assert.InRange(v, 0.5f, 2f));
                Assert.Contains(variance, v => v != 1f);
                Assert.All(bn.weight!.ToArray<float>(), w => Assert.InRange(w, 0.5f, 1.5f));
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
