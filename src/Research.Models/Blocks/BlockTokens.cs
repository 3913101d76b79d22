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

public static class BlockTokenText
{
    /// <summary>The token's text in the spec form: k, e, x, t, g, d, se/hse, a, noskip, mp, densein.</summary>
    public static string Token(this BlockTokens t) => t switch
    {
        BlockTokens.Kernel => "k",
        BlockTokens.Expansion => "e",
        BlockTokens.ExpandedChannels => "x",
        BlockTokens.Reduction => "t",
        BlockTokens.Groups => "g",
        BlockTokens.Dilation => "d",
        BlockTokens.SqueezeExcite => "se/hse",
        BlockTokens.Activation => "a",
        BlockTokens.NoSkip => "noskip",
        BlockTokens.MaxPool => "mp",
        BlockTokens.DenseInput => "densein",
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "not a single token"),
    };

    /// <summary>The tokens a set holds, in the order the text form writes them.</summary>
    public static IEnumerable<string> Tokens(this BlockTokens set) =>
        Enum.GetValues<BlockTokens>().Where(f => f != BlockTokens.None && set.HasFlag(f)).Select(Token);
}
