namespace Research.Torch;

public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}

/// <summary>A device: <c>cpu</c> or <c>cuda:N</c>. Index -1 means "the current CUDA device".</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    public static readonly Device CPU = new(DeviceType.CPU);
    public static readonly Device CUDA = new(DeviceType.CUDA);

    public static Device Cuda(int index) => new(DeviceType.CUDA, index);

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>; anything else throws naming the text.</summary>
    public static Device Parse(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        if (s == "cpu") return CPU;
        if (s == "cuda") return CUDA;
        if (s.StartsWith("cuda:") && int.TryParse(s.AsSpan(5), out var i) && i >= 0) return Cuda(i);
        throw new ArgumentException($"device '{text}' is not one of cpu, cuda, cuda:N", nameof(text));
    }

    public override string ToString() => Type switch
    {
        DeviceType.CPU => "cpu",
        _ => Index < 0 ? "cuda" : $"cuda:{Index}",
    };
}
