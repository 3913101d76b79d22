using Research.Torch;

namespace Research.Experiments.Pipeline;

public static class DeviceResolver
{
    /// <summary>auto is CUDA when available, else CPU; CUDA asked for but absent is bad input.</summary>
    public static Device Resolve(string text)
    {
        if (text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
            return torch.cuda.is_available() ? Device.CUDA : Device.CPU;
        var d = Device.Parse(text);
        if (d.Type == DeviceType.CUDA && !torch.cuda.is_available())
            throw new ArgumentException($"device {text}: no CUDA device is available (libtorch {torch.version}); set device: cpu or auto");
        if (d.Type == DeviceType.CUDA && d.Index >= torch.cuda.device_count())
            throw new ArgumentException($"device {text}: only {torch.cuda.device_count()} CUDA device(s) present");
        return d;
    }
}
