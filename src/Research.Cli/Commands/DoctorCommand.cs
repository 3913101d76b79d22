using System.Runtime.InteropServices;

namespace Research.Cli.Commands;

/// <summary>`research doctor`: what the engine sees (libtorch, threads, BLAS, CUDA) and whether the default data is installed.</summary>
public static class DoctorCommand
{
    public const string FashionMnistDir = "/usr/share/datasets/fashion-mnist";

    private static readonly string[] FashionMnistFiles =
    [
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
    ];

    public static Command Create()
    {
        var verbose = new Option<bool>("--verbose") { Description = "also print libtorch's build configuration" };
        var cmd = new Command("doctor", "print libtorch version, CPU threads, BLAS, CUDA devices and installed datasets") { verbose };
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            o.WriteLine($"libtorch {torch.version}");
            o.WriteLine($"dotnet {RuntimeInformation.FrameworkDescription.Replace(' ', '_')}");
            o.WriteLine($"os {RuntimeInformation.OSDescription.Replace(' ', '_')}");
            o.WriteLine($"cpu_cores {Environment.ProcessorCount}");
            o.WriteLine($"cpu_threads {torch.get_num_threads()}");
            o.WriteLine($"cpu_model {Models.LatencyTables.MachineKey.CpuModel()}");
            // Which kernels oneDNN and OpenBLAS pick, and so a run's last digits: two CPUs of one model name can differ here.
            o.WriteLine($"cpu_extensions {Models.LatencyTables.MachineKey.VectorExtensions()}");
            // The BLAS the loader gave libtorch: the reference one makes matrix multiplies and batch-1 convolutions many times slower.
            var blas = BlasLibrary.InProcess();
            o.WriteLine($"blas {blas?.ToString() ?? "none (no BLAS library is mapped into this process)"}");
            if (blas is { IsReference: true })
                parse.InvocationConfiguration.Error.WriteLine(
                    $"warning: libtorch got the Netlib reference BLAS ({blas.Path}): matrix multiplies and batch-1 convolutions run several times slower; "
                    + "install OpenBLAS (apt-get install libopenblas0-openmp, as scripts/setup.sh does) and libblas.so.3 switches to it");
            // The project's own CPU kernels (RESEARCH_FUSED_BN=0 / RESEARCH_DEPTHWISE_GRAD=0 turn them off): they move the last digits of a run.
            o.WriteLine(Benchmarks.KernelSwitches.Line());
            o.WriteLine($"host_allocator {(torch.host_allocator_tuned ? "retaining" : "system")}");
            bool cuda = torch.cuda.is_available();
            o.WriteLine($"cuda_available {(cuda ? "true" : "false")}");
            o.WriteLine($"cuda_devices {(cuda ? torch.cuda.device_count() : 0)}");
            o.WriteLine($"cudnn_available {(cuda && torch.cuda.cudnn_is_available() ? "true" : "false")}");
            // c10d backends built into the shim (NCCL needs a CUDA libtorch with it), and this process's rank if launched as one.
            o.WriteLine($"distributed_backends {string.Join(",", new[] { "gloo", "nccl" }.Where(Torch.Distributed.ProcessGroup.IsAvailable))}");
            var env = Torch.Distributed.DistributedEnvironment.FromProcess();
            o.WriteLine(env.IsDistributed
                ? $"distributed_rank {env.Rank} of {env.WorldSize} local {env.LocalRank} of {env.LocalWorldSize} ({env.Source}, store {env.MasterAddress}:{env.MasterPort})"
                : "distributed_rank none (a single process)");
            var missing = FashionMnistFiles.Where(f => !File.Exists(Path.Combine(FashionMnistDir, f))).ToList();
            o.WriteLine(missing.Count == 0
                ? $"fashion_mnist installed {FashionMnistDir}"
                : $"fashion_mnist missing {FashionMnistDir} (apt-get install dataset-fashion-mnist; absent: {string.Join(",", missing)})");
            if (parse.GetValue(verbose)) o.WriteLine(torch.show_config());
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
