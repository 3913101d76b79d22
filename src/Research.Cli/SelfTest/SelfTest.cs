using System.Diagnostics;
using System.Globalization;
using Research.Models.Networks;
using Research.Models.Specs;
using Research.Torch.Distributed;
using Research.Training;
using Research.Training.Data;

namespace Research.Cli.SelfTest;

/// <summary>One check's verdict: ok, FAIL (the run exits non-zero) or skip (not applicable on this device).</summary>
public sealed record CheckResult(string Name, string Status, string Detail)
{
    public override string ToString() => $"check {Name} {Status}{(Detail.Length > 0 ? " " + Detail : "")}";
}

/// <summary>
/// `research selftest`: what must hold on a device before its figures mean anything, for machines
/// without a test runner (a lent GPU has no .NET SDK). Each check compares the device with the CPU
/// or with a property that cannot fail silently: tensors and copies, every block family's forward
/// and backward (fp32 to 1e-4 relative), bf16 autocast, channels-last, the device generator's state,
/// memory statistics, the NaN guard, c10d, CUDA graphs, and a short real training run.
/// </summary>
public static class SelfTestRunner
{
    /// <summary>fp32 on the device against fp32 on the CPU: only summation order differs.</summary>
    public const double Fp32Tolerance = 1e-4;

    /// <summary>
    /// bf16 autocast against fp32: bf16 keeps 8 significant bits (unit roundoff 2^-8 ≈ 3.9e-3), and
    /// every convolution rounds its inputs and weights; a dot product of n such terms with random signs
    /// errs by about √n·u (3×3×64 terms: ≈ 9e-2 before normalisation), and through a few dozen layers of
    /// a randomly initialised network the logits end 4-7e-2 off (6.0e-2 measured on this CPU for
    /// EfficientNet-B0-0.5, 32×32). 0.15 leaves room for another device's kernels; a wrong cast or a
    /// wrong kernel is off by order 1, and the logits' cosine similarity must stay above 0.99.
    /// </summary>
    public const double Bf16Tolerance = 0.15;

    /// <summary>A small network per block family at 32×32 (MBConv + SE, MobileNetV3 bneck, sandglass, Ghost, ShuffleV2, depthwise-separable).</summary>
    public static IReadOnlyList<(string Family, NetworkSpec Spec)> Families()
    {
        NetworkSpec Zoo(string name, double? width) =>
            ModelSource.ResolveFor(name, new ModelOverrides { Classes = 10, InChannels = 3, Resolution = 32, WidthMult = width, SmallInput = true }, null);
        var ds = SpecYaml.Parse("""
            name: depthwise-separable
            in_channels: 3
            classes: 10
            resolution: 32
            stem: cn_r1_k3_s1_c16_arelu
            stages:
              - [ds_r2_k3_s2_c32_arelu]
              - [ds_r2_k3_s2_c64_arelu]
            head: {conv: 128, conv_act: relu, dropout: 0.2}
            """, "selftest");
        return
        [
            ("mbconv_se", Zoo("efficientnet_b0", 0.5)),
            ("mobilenetv3", Zoo("mobilenet_v3_small", 0.5)),
            ("sandglass", Zoo("mobilenext_1_0", 0.5)),
            ("ghost", Zoo("ghostnet_1_0", 0.5)),
            ("shufflev2", Zoo("shufflenet_v2_x0_5", null)),
            ("depthwise_separable", ds),
        ];
    }

    public static IEnumerable<CheckResult> Run(Device device, string? dataDir, Action<CheckResult>? report = null)
    {
        var checks = new List<(string Name, Func<string> Body)>
        {
            ("device_tensors", () => DeviceTensors(device)),
        };
        foreach (var (family, spec) in Families()) checks.Add(($"forward_backward_{family}", () => ForwardBackward(spec, device)));
        checks.Add(("bf16_autocast", () => Bf16(device)));
        checks.Add(("channels_last", () => ChannelsLast(device)));
        checks.Add(("rng_state", () => RngState(device)));
        checks.Add(("memory_stats", () => MemoryStats(device)));
        checks.Add(("nan_guard", () => NanGuard(device)));
        checks.Add(("distributed_gloo", DistributedGloo));
        checks.Add(("cuda_graphs", () => CudaGraphs(device)));
        checks.Add(("training_fashion_mnist", () => Training(device, dataDir)));
        foreach (var (name, body) in checks)
        {
            CheckResult result;
            var clock = Stopwatch.StartNew();
            try
            {
                string detail = body();
                result = detail.StartsWith(SkipPrefix, StringComparison.Ordinal)
                    ? new CheckResult(name, "skip", detail[SkipPrefix.Length..])
                    : new CheckResult(name, "ok", $"{detail} ({clock.Elapsed.TotalSeconds:F1} s)");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                result = new CheckResult(name, "FAIL", $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            }
            report?.Invoke(result);
            yield return result;
        }
    }

    private const string SkipPrefix = "skip:";

    private static string Skip(string why) => SkipPrefix + why;

    private static string F(double v) => v.ToString("E2", CultureInfo.InvariantCulture);

    private static void Expect(bool condition, string failure)
    {
        if (!condition) throw new InvalidOperationException(failure);
    }

    /// <summary>|a − b| / |a| over every element (Frobenius norms).</summary>
    private static double Relative(Tensor expected, Tensor actual)
    {
        using var scope = torch.NewDisposeScope();
        var a = expected.to(ScalarType.Float64).cpu();
        var b = actual.to(ScalarType.Float64).cpu();
        return (a - b).norm().item<double>() / Math.Max(a.norm().item<double>(), 1e-30);
    }

    private static string DeviceTensors(Device device)
    {
        using var scope = torch.NewDisposeScope();
        var host = torch.arange(0, 1024, dtype: ScalarType.Float32).reshape(32, 32);
        var there = host.to(device);
        Expect(there.device.Type == device.Type, $"the tensor landed on {there.device}, not {device}");
        var back = (there * 2).cpu();
        Expect(back.equal(host * 2), "a round trip through the device changed the values");
        if (device.Type != DeviceType.CUDA) return "copies to and from the device are exact (no pinned memory without CUDA)";
        var pinned = host.pin_memory();
        var async = pinned.to(device, non_blocking: true);
        torch.cuda.synchronize();
        Expect(async.cpu().equal(host), "a pinned, non-blocking copy arrived changed");
        return "copies exact, pinned non-blocking copy exact";
    }

    /// <summary>Eval mode (no dropout or drop-connect draws): the same weights and input on the CPU and the device.</summary>
    private static string ForwardBackward(NetworkSpec spec, Device device)
    {
        torch.manual_seed(1);
        using var cpu = NetworkBuilder.Build(spec);
        using var there = NetworkBuilder.Build(spec);
        var weights = cpu.state_dict();
        try
        {
            there.load_state_dict(weights);
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
        there.to(device);
        cpu.eval();
        there.eval();
        using var scope = torch.NewDisposeScope();
        var x = torch.randn([4, 3, 32, 32]);
        var y = torch.randint(0, 10, [4]);
        var logitsCpu = cpu.call(x);
        torch.nn.functional.cross_entropy(logitsCpu, y).backward();
        var logitsDev = there.call(x.to(device));
        torch.nn.functional.cross_entropy(logitsDev, y.to(device)).backward();
        double forward = Relative(logitsCpu, logitsDev);
        double backward = cpu.named_parameters().Zip(there.named_parameters(), (a, b) => Relative(a.parameter.grad!, b.parameter.grad!)).Max();
        Expect(forward <= Fp32Tolerance && backward <= Fp32Tolerance, $"logits {F(forward)}, worst gradient {F(backward)} relative to the CPU (tolerance {F(Fp32Tolerance)})");
        return $"{spec.Name}: logits {F(forward)}, worst gradient {F(backward)} relative to the CPU";
    }

    private static string Bf16(Device device)
    {
        var spec = Families()[0].Spec;
        torch.manual_seed(2);
        using var net = NetworkBuilder.Build(spec);
        net.eval();
        using var scope = torch.NewDisposeScope();
        var x = torch.randn([4, 3, 32, 32]);
        var reference = net.call(x);
        net.to(device);
        Tensor mixed;
        using (torch.autocast(device.Type, ScalarType.BFloat16))
            mixed = net.call(x.to(device));
        Expect(mixed.dtype is ScalarType.BFloat16 or ScalarType.Float32, $"autocast gave {mixed.dtype}");
        double error = Relative(reference, mixed);
        double cosine;
        using (var a = reference.to(ScalarType.Float64).reshape(-1))
        using (var b = mixed.to(ScalarType.Float64).cpu().reshape(-1))
        using (var dot = (a * b).sum())
        using (var na = a.norm())
        using (var nb = b.norm())
            cosine = dot.item<double>() / Math.Max(na.item<double>() * nb.item<double>(), 1e-30);
        Expect(error <= Bf16Tolerance && error > 0 && cosine > 0.99,
            $"bf16 logits {F(error)} relative to fp32, cosine {cosine:F4} (tolerance {F(Bf16Tolerance)}, cosine > 0.99; 0 would mean autocast did nothing)");
        return string.Create(CultureInfo.InvariantCulture, $"{spec.Name}: bf16 logits {F(error)} relative to fp32, cosine {cosine:F4} (tolerance {F(Bf16Tolerance)})");
    }

    private static string ChannelsLast(Device device)
    {
        var spec = ModelSource.ResolveFor("mobilenet_v2", new ModelOverrides { Classes = 10, InChannels = 3, Resolution = 32, WidthMult = 0.5, SmallInput = true }, null);
        torch.manual_seed(3);
        using var net = NetworkBuilder.Build(spec);
        net.to(device).eval();
        using var scope = torch.NewDisposeScope();
        var x = torch.randn([4, 3, 32, 32], device: device);
        var nchw = net.call(x);
        net.to(MemoryFormat.ChannelsLast);
        var nhwc = net.call(x.contiguous(MemoryFormat.ChannelsLast));
        double error = Relative(nchw, nhwc);
        Expect(error <= Fp32Tolerance, $"NHWC logits {F(error)} relative to NCHW");
        return $"mobilenet_v2-0.5: NHWC logits {F(error)} relative to NCHW";
    }

    private static string RngState(Device device)
    {
        using var scope = torch.NewDisposeScope();
        bool cuda = device.Type == DeviceType.CUDA;
        int index = Math.Max(0, device.Index);
        var state = cuda ? torch.cuda.get_rng_state(index) : torch.random.get_rng_state();
        var first = torch.randn([1000], device: device);
        if (cuda) torch.cuda.set_rng_state(state, index);
        else torch.random.set_rng_state(state);
        var again = torch.randn([1000], device: device);
        Expect(first.equal(again), "the draws after restoring the generator's state differ");
        var next = torch.randn([1000], device: device);
        Expect(!next.equal(again), "the generator did not advance");
        return $"{(cuda ? "CUDA" : "CPU")} generator: saved, drawn, restored, the same 1000 draws again";
    }

    private static string MemoryStats(Device device)
    {
        if (device.Type != DeviceType.CUDA) return Skip($"CUDA only (the device is {device}; host memory is reported by darts_epochs.csv's peak_memory_mib)");
        int index = Math.Max(0, device.Index);
        torch.cuda.empty_cache();
        torch.cuda.reset_peak_memory_stats(index);
        long before = torch.cuda.memory_allocated(index);
        const long bytes = 64L << 20;
        long during, peak;
        using (var block = torch.empty([bytes / 4], ScalarType.Float32, device))
        {
            during = torch.cuda.memory_allocated(index);
            peak = torch.cuda.max_memory_allocated(index);
        }
        long after = torch.cuda.memory_allocated(index);
        long reservedBefore = torch.cuda.memory_reserved(index);
        torch.cuda.empty_cache();
        long reservedAfter = torch.cuda.memory_reserved(index);
        Expect(during - before >= bytes, $"allocating 64 MiB raised memory_allocated by {(during - before) >> 20} MiB");
        Expect(peak >= during && after <= before, $"peak {peak >> 20} MiB, after freeing {after >> 20} MiB (before {before >> 20} MiB)");
        Expect(reservedAfter <= reservedBefore - bytes, $"empty_cache kept {reservedAfter >> 20} MiB of {reservedBefore >> 20} MiB reserved");
        return $"64 MiB: allocated +{(during - before) >> 20} MiB, peak {peak >> 20} MiB, freed, empty_cache released {(reservedBefore - reservedAfter) >> 20} MiB";
    }

    private static string NanGuard(Device device)
    {
        var dir = Directory.CreateTempSubdirectory("research-selftest-").FullName;
        try
        {
            var spec = Families()[^1].Spec with { InChannels = 1, Resolution = 28 };
            var data = Synthetic.Load(seed: 1, trainCount: 256, testCount: 64);
            var cfg = new TrainConfig { Epochs = 1, BatchSize = 64, LearningRate = 1e12, WarmupEpochs = 0 };
            try
            {
                Trainer.Run(spec, data, "synthetic", cfg, new TrainerOptions { OutDir = dir, Device = device });
            }
            catch (TrainingDivergedException e)
            {
                Expect(e.Message.Contains("NaN or infinite", StringComparison.Ordinal), $"the guard's message does not say what happened: {e.Message}");
                return "lr 1e12 stops with: " + e.Message.Split(". ")[0];
            }
            throw new InvalidOperationException("training at lr 1e12 ended without the NaN guard stopping it");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Two ranks in this process over loopback (threads): c10d's store and Gloo as the build has them.</summary>
    private static string DistributedGloo()
    {
        int port;
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
        }
        var sums = new float[2];
        var errors = new Exception?[2];
        var threads = Enumerable.Range(0, 2).Select(rank => new Thread(() =>
        {
            try
            {
                using var world = DistributedWorld.Join(new DistributedEnvironment(rank, 2, rank, 2, "127.0.0.1", port, "selftest"), "gloo", TimeSpan.FromSeconds(30));
                using var t = torch.tensor(new float[] { rank + 1 });
                world.Group.AllReduce(t);
                sums[rank] = t.item<float>();
                world.Leave();
            }
            catch (Exception e)
            {
                errors[rank] = e;
            }
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        if (errors.FirstOrDefault(e => e is not null) is { } error) throw error;
        Expect(sums.All(s => s == 3), $"all_reduce gave {string.Join(", ", sums)} (expected 3 on both ranks)");
        return $"2 ranks over 127.0.0.1:{port}: all_reduce 1 + 2 = 3 on both; backends {string.Join(",", new[] { "gloo", "nccl" }.Where(ProcessGroup.IsAvailable))}";
    }

    /// <summary>Three SGD steps replayed from a captured graph against three eager steps from the same start.</summary>
    private static string CudaGraphs(Device device)
    {
        if (device.Type != DeviceType.CUDA) return Skip($"CUDA only (the device is {device})");
        if (!torch.cuda.is_built()) throw new InvalidOperationException("the shim was built without CUDA (cuda_absent.cpp): build it against the device's libtorch");
        var spec = Families()[0].Spec;
        int index = Math.Max(0, device.Index);
        float[] Losses(bool graphed)
        {
            torch.manual_seed(4);
            using var net = NetworkBuilder.Build(spec);
            net.to(device).train();
            using var sgd = new Research.Torch.Optim.SGD(net.parameters(), 0.01, momentum: 0.9);
            sgd.UseLearningRateTensors(device);
            torch.manual_seed(5);
            using var x = torch.randn([8, 3, 32, 32], device: device);
            using var y = torch.randint(0, 10, [8], device: device);
            using var loss = torch.zeros([], ScalarType.Float32, device);
            void Step()
            {
                using var scope = torch.NewDisposeScope();
                sgd.zero_grad(set_to_none: false);
                var l = torch.nn.functional.cross_entropy(net.call(x), y);
                l.backward();
                sgd.step();
                using (torch.no_grad()) loss.copy_(l.detach());
            }
            // Warm-up steps eagerly on a side stream (both variants, so both start the compared steps alike).
            for (int i = 0; i < 3; i++)
                using (torch.cuda.side_stream(index)) Step();
            torch.cuda.synchronize();
            var losses = new List<float>();
            using var graph = graphed ? new CudaGraph() : null;
            if (graph is not null)
            {
                torch.autocast_cache_enabled = false;
                graph.Capture(Step, index);
                torch.autocast_cache_enabled = true;
            }
            for (int i = 0; i < 3; i++)
            {
                if (graph is not null) graph.Replay();
                else Step();
                losses.Add(loss.item<float>());
            }
            return losses.ToArray();
        }
        var eager = Losses(false);
        var replayed = Losses(true);
        double worst = eager.Zip(replayed, (a, b) => Math.Abs(a - b) / Math.Max(Math.Abs(a), 1e-12)).Max();
        Expect(worst <= Fp32Tolerance, $"replayed losses {string.Join(", ", replayed)} against eager {string.Join(", ", eager)}");
        return $"3 replayed SGD steps: losses {string.Join(", ", replayed.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))} as eager (worst {F(worst)} relative)";
    }

    private static string Training(Device device, string? dataDir)
    {
        var dir = Directory.CreateTempSubdirectory("research-selftest-").FullName;
        try
        {
            var data = new DataConfig { DataDir = dataDir, Subset = 4000 }.Load(0);
            var spec = ModelSource.ResolveFor("mobilenet_v2", new ModelOverrides { WidthMult = 0.25, SmallInput = true }, data.Shape);
            var cfg = new TrainConfig { Epochs = 1, BatchSize = 64, LearningRate = 0.1, WarmupEpochs = 0.2 };
            var r = Trainer.Run(spec, data, "fashion-mnist", cfg, new TrainerOptions { OutDir = dir, Device = device });
            Expect(double.IsFinite(r.Final.TrainLoss) && r.Final.ValTop1 > 40,
                $"1 epoch on 4,000 images ended at {r.Final.ValTop1:F2}% test top-1, train loss {r.Final.TrainLoss:F3} (expected above 40%; chance is 10%)");
            return string.Create(CultureInfo.InvariantCulture,
                $"mobilenet_v2-0.25, 1 epoch on 4,000 images: test top-1 {r.Final.ValTop1:F2}%, {r.ImagesPerSecond:F0} images/s");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
