namespace Research.Torch;

/// <summary>How a 4-d tensor's elements are laid out: NCHW (contiguous) or NHWC (channels last).</summary>
public enum MemoryFormat
{
    Contiguous = 0,
    ChannelsLast = 1,
}
