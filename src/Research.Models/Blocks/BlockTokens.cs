namespace Research.Models.Blocks;

/// <summary>
/// The optional tokens of the block text form, beyond r (repeats), s (stride) and c (output
/// channels), which every kind takes. A kind declares which it accepts and which it needs.
/// </summary>
[Flags]
public enum BlockTokens
{
    None = 0,
    /// <summary>k: the kernel size (odd).</summary>
    Kernel = 1 << 0,
    /// <summary>e: an expansion ratio.</summary>
    Expansion = 1 << 1,
    /// <summary>x: expanded (hidden) channels, instead of e.</summary>
    ExpandedChannels = 1 << 2,
    /// <summary>t: a reduction ratio (sandglass).</summary>
    Reduction = 1 << 3,
    /// <summary>g: groups of the pointwise convolutions.</summary>
    Groups = 1 << 4,
    /// <summary>d: dilation of the spatial convolution.</summary>
    Dilation = 1 << 5,
    /// <summary>se / hse: squeeze-excite with a ratio.</summary>
    SqueezeExcite = 1 << 6,
    /// <summary>a: the activation.</summary>
    Activation = 1 << 7,
    /// <summary>noskip: no identity shortcut.</summary>
    NoSkip = 1 << 8,
    /// <summary>mp: a 3×3/2 max-pool after the block.</summary>
    MaxPool = 1 << 9,
    /// <summary>densein: the first repeat's input 1×1 is not grouped (ShuffleNet's first unit).</summary>
    DenseInput = 1 << 10,
}
