using Research.Core.Settings;

namespace Research.Models.Inference;

/// <summary>How `eval`, `predict` and `models show --latency-batch` run a trained network: which engine runs its inference graph.</summary>
public sealed record InferenceConfig : ISettingsRecord<InferenceConfig>
{
    public const string LibTorch = "libtorch";
    public const string OnnxRuntime = "onnxruntime";

    public static readonly string[] Engines = [LibTorch, OnnxRuntime];

    /// <summary>libtorch: the network's inference graph as frozen TorchScript on oneDNN; onnxruntime: the same graph in ONNX Runtime (CPU).</summary>
    public string Engine { get; init; } = LibTorch;

    public static SettingSet<InferenceConfig> Settings { get; } = new SettingSet<InferenceConfig>(new InferenceConfig(), "inference")
        .Choice("engine", "what runs inference: libtorch (batch norm folded, frozen TorchScript on oneDNN) or onnxruntime (the exported graph, CPU; threads from --threads)",
            Engines, r => r.Engine, (r, v) => r with { Engine = v });

    public InferenceConfig Validate() => Settings.Validate(this);
}
