using System.Text.RegularExpressions;
using Research.Core.Settings;
using Research.Torch;
using Research.Torch.Distributed;

namespace Research.Training;

/// <summary>Where a run executes and which random stream it draws: `--seed` and `--device`, the experiment file's top-level seed and device.</summary>
public sealed partial record ExecutionConfig : ISettingsRecord<ExecutionConfig>
{
    public int Seed { get; init; }
    /// <summary>auto, cpu, cuda or cuda:N; auto is CUDA when present.</summary>
    public string Device { get; init; } = "auto";
    /// <summary>Several ranks: auto (NCCL for CUDA devices where the build has it, else Gloo), gloo or nccl.</summary>
    public string DistBackend { get; init; } = "auto";
    /// <summary>Several ranks: how long a collective or the rendezvous may wait before it fails, naming the rank to blame.</summary>
    public int DistTimeoutSeconds { get; init; } = 600;
    /// <summary>
    /// The project's own CPU kernels (fused batch norm + activation, depthwise weight gradient): on, off, or null for what the
    /// environment says. They change the order of floating-point sums, so a file pins them to repeat a run's digits.
    /// </summary>
    public string? Kernels { get; init; }

    public static readonly string[] DistBackends = ["auto", "gloo", "nccl"];
    public static readonly string[] KernelChoices = ["on", "off"];

    /// <summary>The settings of several ranks, which commands that run in one process leave out.</summary>
    public static readonly string[] DistributedKeys = ["dist_backend", "dist_timeout"];

    /// <summary>What commands that run a finished network leave out: no seed, one process, and batch norm folded, so no training kernels.</summary>
    public static readonly string[] InferenceExcept = ["seed", "kernels", .. DistributedKeys];

    [GeneratedRegex("^(auto|cpu|cuda|cuda:[0-9]+)$")]
    private static partial Regex DevicePattern();

    public static SettingSet<ExecutionConfig> Settings { get; } = new SettingSet<ExecutionConfig>(new ExecutionConfig(), "execution")
        .Integer("seed", "random seed (weights, data order, augmentation)", r => r.Seed, (r, v) => r with { Seed = v }, min: 0)
        .Text("device", "where to run (auto picks CUDA when present; with several ranks on a host, rank k takes cuda:k)", r => r.Device, (r, v) => r with { Device = v },
            valueText: "auto, cpu, cuda or cuda:N")
        .Choice("dist_backend", "several ranks: auto (nccl for CUDA where built in, else gloo), gloo or nccl", DistBackends, r => r.DistBackend,
            (r, v) => r with { DistBackend = v })
        .Integer("dist_timeout", "several ranks: seconds a collective or the rendezvous may wait before failing with the rank to blame", r => r.DistTimeoutSeconds,
            (r, v) => r with { DistTimeoutSeconds = v }, min: 1)
        .OptionalChoice("kernels", "the project's own CPU kernels (fused batch norm + activation, depthwise weight gradient); off runs libtorch's ops, " +
            "as the studies committed before they were the default did", "as the environment says (on unless RESEARCH_FUSED_BN or RESEARCH_DEPTHWISE_GRAD is 0)",
            KernelChoices, r => r.Kernels, (r, v) => r with { Kernels = v }, leftOutWhenNull: true)
        .Rule(r => DevicePattern().IsMatch(r.Device) ? null
            : new SettingProblem("device", r.Device, "auto, cpu, cuda or cuda:N") { Explanation = $"'{r.Device}' is not a device (allowed: auto, cpu, cuda, cuda:N)" });

    public ExecutionConfig Validate() => Settings.Validate(this);

    /// <summary>
    /// The device to run on: auto is CUDA when available, else CPU; CUDA asked for but absent is bad
    /// input, named by the setting's key (or as <paramref name="named"/> says).
    /// </summary>
    public Device ResolveDevice(string named = "device") => ResolveDevice(DistributedEnvironment.FromProcess(), named);

    /// <summary>As <see cref="ResolveDevice(string)"/>; a rank of several on its host takes the GPU of its local rank when given auto or cuda.</summary>
    public Device ResolveDevice(DistributedEnvironment env, string named = "device")
    {
        int local = env.LocalWorldSize > 1 ? env.LocalRank : 0;
        if (Device.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
            return !torch.cuda.is_available() ? Torch.Device.CPU
                : env.LocalWorldSize > 1 ? Torch.Device.Parse($"cuda:{local % torch.cuda.device_count()}") : Torch.Device.CUDA;
        var d = Torch.Device.Parse(Device == "cuda" && env.LocalWorldSize > 1 ? $"cuda:{local}" : Device);
        if (d.Type == DeviceType.CUDA && !torch.cuda.is_available())
            throw new ArgumentException($"{named} {Device}: no CUDA device is available (libtorch {torch.version}); use cpu or auto");
        if (d.Type == DeviceType.CUDA && d.Index >= torch.cuda.device_count())
            throw new ArgumentException($"{named} {Device}: only {torch.cuda.device_count()} CUDA device(s) present");
        return d;
    }

    /// <summary>
    /// Switches the project's own kernels as <see cref="Kernels"/> says (nothing when null) until the result is disposed, which
    /// puts back what was on before (a command run in-process leaves the process as it found it).
    /// </summary>
    public IDisposable ApplyKernels()
    {
        bool fused = torch.fused_batch_norm_act_enabled, depthwise = torch.depthwise_conv_kernel_enabled;
        if (Kernels is { } k) torch.fused_batch_norm_act_enabled = torch.depthwise_conv_kernel_enabled = k == "on";
        return new Restore(() => (torch.fused_batch_norm_act_enabled, torch.depthwise_conv_kernel_enabled) = (fused, depthwise));
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        private Action? _undo = undo;
        public void Dispose() => Interlocked.Exchange(ref _undo, null)?.Invoke();
    }

    /// <summary>The c10d backend for a device: NCCL for CUDA where this build has it (auto), else Gloo.</summary>
    public string ResolveBackend(Device device, string named = "dist_backend")
    {
        if (DistBackend == "auto") return device.Type == DeviceType.CUDA && ProcessGroup.IsAvailable("nccl") ? "nccl" : "gloo";
        if (!ProcessGroup.IsAvailable(DistBackend))
            throw new ArgumentException($"{named} {DistBackend}: this build of the shim has no {DistBackend} (build against a CUDA libtorch with NCCL, or use gloo)");
        if (DistBackend == "nccl" && device.Type != DeviceType.CUDA)
            throw new ArgumentException($"{named} nccl: NCCL reduces CUDA tensors only, and the device is {device}; use gloo");
        return DistBackend;
    }

    /// <summary>Joins the world the environment describes (null when it is a single process).</summary>
    public DistributedWorld? JoinWorld(DistributedEnvironment env, Device device, TextWriter? log = null) =>
        env.IsDistributed ? DistributedWorld.Join(env, ResolveBackend(device), TimeSpan.FromSeconds(DistTimeoutSeconds), log) : null;
}
