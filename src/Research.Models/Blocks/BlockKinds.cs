namespace Research.Models.Blocks;

/// <summary>The built-in block kinds (each defined in its own file, with its module), registered in <see cref="BlockKindRegistry.Default"/>.</summary>
public static class BlockKinds
{
    public static readonly ConvKind Conv = new();
    public static readonly DepthwiseSeparableKind DepthwiseSeparable = new();
    public static readonly InvertedResidualKind InvertedResidual = new();
    public static readonly SandglassKind Sandglass = new();
    public static readonly GhostBottleneckKind GhostBottleneck = new();
    public static readonly ShuffleV2Kind ShuffleV2 = new();
    public static readonly ShuffleV1Kind ShuffleV1 = new();
    public static readonly SepConvKind SepConv = new();
    public static readonly DilConvKind DilConv = new();
    public static readonly CellKind Cell = new();
}
