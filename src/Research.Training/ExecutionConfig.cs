using System.Text.RegularExpressions;
using Research.Core.Settings;
using Research.Torch;

namespace Research.Training;

/// <summary>Where a run executes and which random stream it draws: `--seed` and `--device`, the experiment file's top-level seed and device.</summary>
public sealed partial record ExecutionConfig : ISettingsRecord<ExecutionConfig>
{
    public int Seed { get; init; }
    /// <summary>auto, cpu, cuda or cuda:N; auto is CUDA when present.</summary>
    public string Device { get; init; } = "auto";

    [GeneratedRegex("^(auto|cpu|cuda|cuda:[0-9]+)$")]
    private static partial Regex DevicePattern();

    public static SettingSet<ExecutionConfig> Settings { get; } = new SettingSet<ExecutionConfig>(new ExecutionConfig(), "execution")
        .Integer("seed", "random seed (weights, data order, augmentation)", r => r.Seed, (r, v) => r with { Seed = v }, min: 0)
        .Text("device", "where to run (auto picks CUDA when present)", r => r.Device, (r, v) => r with { Device = v }, valueText: "auto, cpu, cuda or cuda:N")
        .Rule(r => DevicePattern().IsMatch(r.Device) ? null
            : new SettingProblem("device", r.Device, "auto, cpu, cuda or cuda:N") { Explanation = $"'{r.Device}' is not a device (allowed: auto, cpu, cuda, cuda:N)" });

    public ExecutionConfig Validate() => Settings.Validate(this);

    /// <summary>
    /// The device to run on: auto is CUDA when available, else CPU; CUDA asked for but absent is bad
    /// input. <paramref name="named"/> is how the caller's front end names the setting ("--device", "device").
    /// </summary>
    public Device ResolveDevice(string named = "--device")
    {
        if (Device.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
            return torch.cuda.is_available() ? Torch.Device.CUDA : Torch.Device.CPU;
        var d = Torch.Device.Parse(Device);
        if (d.Type == DeviceType.CUDA && !torch.cuda.is_available())
            throw new ArgumentException($"{named} {Device}: no CUDA device is available (libtorch {torch.version}); use cpu or auto");
        if (d.Type == DeviceType.CUDA && d.Index >= torch.cuda.device_count())
            throw new ArgumentException($"{named} {Device}: only {torch.cuda.device_count()} CUDA device(s) present");
        return d;
    }
}
