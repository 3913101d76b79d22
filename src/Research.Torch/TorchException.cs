namespace Research.Torch;

/// <summary>An error raised by libtorch (bad shapes, dtypes, devices...), with its message.</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message) { }
}
