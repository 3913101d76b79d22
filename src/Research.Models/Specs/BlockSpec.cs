using System.Globalization;
using System.Text;

namespace Research.Models.Specs;

/// <summary>The block families a spec can name; each has a two-letter code in the text form.</summary>
public enum BlockKind
{
    /// <summary>cn: convolution + BN + activation (stems, plain layers); `mp` adds a 3×3/2 max-pool.</summary>
    Conv,
    /// <summary>ds: depthwise k×k + BN + act, then pointwise 1×1 + BN + act (MobileNetV1).</summary>
    DepthwiseSeparable,
    /// <summary>ir: inverted residual / MBConv (MobileNetV2, EfficientNet, MobileNetV3's bneck).</summary>
    InvertedResidual,
    /// <summary>sg: sandglass block (MobileNeXt).</summary>
    Sandglass,
    /// <summary>gb: Ghost bottleneck (GhostNet).</summary>
    GhostBottleneck,
    /// <summary>sh: ShuffleNetV2 unit (stride 1: split, branch, concat, shuffle; stride 2: two branches).</summary>
    ShuffleV2,
    /// <summary>dc: a searched (DARTS) cell of width c, from the network's genotype; stride 2 makes it a reduction cell.</summary>
    Cell,
}

/// <summary>
/// Squeeze-and-excitation. Plain (<c>se</c>): squeeze to max(1, ⌊ratio × block input channels⌋)
/// with the block's activation and a sigmoid gate (EfficientNet). Hard (<c>hse</c>): squeeze
/// ⌊ratio × expanded channels⌋ rounded to the family's divisor, ReLU and a hard-sigmoid gate
/// (MobileNetV3, GhostNet).
/// </summary>
public sealed record SqueezeExcite(double Ratio, bool Hard)
{
    public override string ToString() => (Hard ? "hse" : "se") + Format.Number(Ratio);
}

/// <summary>
/// One block (repeated <see cref="Repeats"/> times; only the first repeat has the stride) in a
/// compact text form in the spirit of timm's: <c>ir_r2_k3_s2_e6_c24_se0.25_asilu</c>.
/// Tokens: r repeats, k kernel, s stride, e expansion ratio or x expanded channels, t sandglass
/// reduction, c output channels, se/hse squeeze-excite, a activation (relu, relu6, silu, hswish,
/// none), flags noskip and mp. <see cref="Parse"/> is strict and <see cref="ToString"/> round-trips.
/// </summary>
public sealed record BlockSpec
{
    public BlockKind Kind { get; init; }
    public int Repeats { get; init; } = 1;
    public int Kernel { get; init; } = 3;
    public int Stride { get; init; } = 1;
    public double? Expansion { get; init; }
    public int? ExpandedChannels { get; init; }
    public double? Reduction { get; init; }
    public int OutChannels { get; init; }
    public SqueezeExcite? SE { get; init; }
    public Activation Activation { get; init; } = Activation.ReLU;
    public bool NoSkip { get; init; }
    public bool MaxPool { get; init; }

    private static readonly (BlockKind kind, string code)[] Codes =
    [
        (BlockKind.Conv, "cn"), (BlockKind.DepthwiseSeparable, "ds"), (BlockKind.InvertedResidual, "ir"),
        (BlockKind.Sandglass, "sg"), (BlockKind.GhostBottleneck, "gb"), (BlockKind.ShuffleV2, "sh"),
        (BlockKind.Cell, "dc"),
    ];

    public static string Code(BlockKind kind) => Codes.First(c => c.kind == kind).code;

    /// <summary>The hidden width for an input width: x when given, else make_divisible(in × e, divisor).</summary>
    public int Hidden(int inChannels, int divisor = 8) =>
        ExpandedChannels ?? (Expansion is { } e ? Rounding.MakeDivisible(inChannels * e, divisor) : inChannels);

    public override string ToString()
    {
        var sb = new StringBuilder(Code(Kind));
        sb.Append("_r").Append(Repeats);
        if (Kind == BlockKind.Cell) return sb.Append("_s").Append(Stride).Append("_c").Append(OutChannels).ToString();
        if (Kind != BlockKind.ShuffleV2 || Kernel != 3) sb.Append("_k").Append(Kernel);
        sb.Append("_s").Append(Stride);
        if (Expansion is { } e) sb.Append("_e").Append(Format.Number(e));
        if (ExpandedChannels is { } x) sb.Append("_x").Append(x);
        if (Reduction is { } t) sb.Append("_t").Append(Format.Number(t));
        sb.Append("_c").Append(OutChannels);
        if (SE is { } se) sb.Append('_').Append(se);
        sb.Append("_a").Append(Activation.Name());
        if (NoSkip) sb.Append("_noskip");
        if (MaxPool) sb.Append("_mp");
        return sb.ToString();
    }

    /// <summary>Parses the text form; any unknown, repeated, malformed or missing token is an error naming it.</summary>
    public static BlockSpec Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new SpecFormatException("block spec is empty");
        var tokens = text.Trim().Split('_');
        var kind = Codes.FirstOrDefault(c => c.code == tokens[0]);
        if (kind.code is null)
            throw new SpecFormatException($"block '{text}': unknown block type '{tokens[0]}' at token 1 (expected one of {string.Join(", ", Codes.Select(c => c.code))})");
        var spec = new BlockSpec { Kind = kind.kind };
        var seen = new HashSet<string>();
        bool hasC = false;
        for (int i = 1; i < tokens.Length; i++)
        {
            string tok = tokens[i];
            string Where() => $"block '{text}': token '{tok}' at token {i + 1}";
            if (tok.Length == 0) throw new SpecFormatException($"block '{text}': empty token at token {i + 1} (doubled '_'?)");
            var (key, value) = Split(tok);
            if (key is "e" or "x" && (seen.Contains("e") || seen.Contains("x")) && !seen.Contains(key))
                throw new SpecFormatException($"{Where()}: give either e (expansion ratio) or x (expanded channels), not both");
            if (!seen.Add(key is "hse" ? "se" : key))
                throw new SpecFormatException($"{Where()}: '{key}' is given twice");
            int Int(int min)
            {
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < min)
                    throw new SpecFormatException($"{Where()}: '{key}' needs an integer >= {min}");
                return v;
            }
            double Real()
            {
                if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) || !(v > 0) || double.IsInfinity(v))
                    throw new SpecFormatException($"{Where()}: '{key}' needs a positive number");
                return v;
            }
            switch (key)
            {
                case "r": spec = spec with { Repeats = Int(1) }; break;
                case "k":
                    var k = Int(1);
                    if (k % 2 == 0) throw new SpecFormatException($"{Where()}: kernel must be odd");
                    spec = spec with { Kernel = k };
                    break;
                case "s": spec = spec with { Stride = Int(1) }; break;
                case "e": spec = spec with { Expansion = Real() }; break;
                case "x": spec = spec with { ExpandedChannels = Int(1) }; break;
                case "t": spec = spec with { Reduction = Real() }; break;
                case "c": spec = spec with { OutChannels = Int(1) }; hasC = true; break;
                case "se":
                case "hse":
                    var r = Real();
                    if (r > 1) throw new SpecFormatException($"{Where()}: squeeze-excite ratio must be in (0, 1]");
                    spec = spec with { SE = new SqueezeExcite(r, key == "hse") };
                    break;
                case "a":
                    if (!ActivationNames.TryParse(value, out var act))
                        throw new SpecFormatException($"{Where()}: unknown activation '{value}' (expected one of {string.Join(", ", ActivationNames.Names)})");
                    spec = spec with { Activation = act };
                    break;
                case "noskip" when value.Length == 0: spec = spec with { NoSkip = true }; break;
                case "mp" when value.Length == 0: spec = spec with { MaxPool = true }; break;
                default: throw new SpecFormatException($"{Where()}: unknown token");
            }
        }
        if (!hasC) throw new SpecFormatException($"block '{text}': missing output channels token 'c<N>'");
        spec.Validate(text);
        return spec;
    }

    private static (string key, string value) Split(string tok)
    {
        foreach (var k in new[] { "noskip", "hse", "se", "mp", "a" })
            if (tok.StartsWith(k, StringComparison.Ordinal)) return (k, tok[k.Length..]);
        int i = 0;
        while (i < tok.Length && char.IsAsciiLetterLower(tok[i])) i++;
        return (tok[..i], tok[i..]);
    }

    /// <summary>Checks the tokens a family allows and needs; throws naming the block.</summary>
    public void Validate(string? text = null)
    {
        string name = text ?? ToString();
        void Fail(string why) => throw new SpecFormatException($"block '{name}': {why}");
        if (OutChannels < 1) Fail("output channels must be >= 1");
        if (Repeats < 1) Fail("repeats must be >= 1");
        if (Stride < 1 || Stride > 2) Fail("stride must be 1 or 2");
        if (Kernel < 1 || Kernel % 2 == 0) Fail("kernel must be odd");
        if (Expansion is not null && ExpandedChannels is not null) Fail("give either e (ratio) or x (channels), not both");
        bool expands = Kind is BlockKind.InvertedResidual or BlockKind.GhostBottleneck;
        if (!expands && (Expansion is not null || ExpandedChannels is not null)) Fail($"'{Code(Kind)}' blocks take no e/x token");
        if (Kind == BlockKind.GhostBottleneck && ExpandedChannels is null && Expansion is null) Fail("ghost bottlenecks need x<mid channels> or e<ratio>");
        if (Kind == BlockKind.Sandglass && Reduction is null) Fail("sandglass blocks need t<reduction ratio>");
        if (Kind != BlockKind.Sandglass && Reduction is not null) Fail($"'{Code(Kind)}' blocks take no t token");
        if (SE is not null && Kind is BlockKind.Conv or BlockKind.ShuffleV2 or BlockKind.Sandglass) Fail($"'{Code(Kind)}' blocks take no squeeze-excite");
        if (MaxPool && Kind != BlockKind.Conv) Fail("only 'cn' blocks take the mp flag");
        if (NoSkip && Kind is BlockKind.Conv or BlockKind.ShuffleV2) Fail($"'{Code(Kind)}' blocks have no skip to disable");
        if (Kind == BlockKind.ShuffleV2 && OutChannels % 2 != 0) Fail("ShuffleNetV2 units need an even number of output channels");
        if (Kind == BlockKind.Cell && (Kernel != 3 || Activation != Activation.ReLU || SE is not null || NoSkip || MaxPool))
            Fail("'dc' cells take only r, s and c (their ops come from the network's genotype)");
    }
}

internal static class Format
{
    public static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
