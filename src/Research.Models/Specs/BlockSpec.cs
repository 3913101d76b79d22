using System.Globalization;
using System.Text;

namespace Research.Models.Specs;

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
/// compact text form in the spirit of timm's: <c>ir_r2_k3_s2_e6_c24_se0.25_asilu</c>. The first
/// token is the kind's code (<see cref="BlockKindRegistry"/>); the kind says which other tokens it
/// takes: r repeats, k kernel, s stride, e expansion ratio or x expanded channels, t sandglass
/// reduction, g groups, d dilation, c output channels, se/hse squeeze-excite, a activation (relu,
/// relu6, silu, hswish, none), flags noskip, mp and densein. <see cref="Parse"/> is strict and
/// <see cref="ToString"/> round-trips.
/// </summary>
public sealed record BlockSpec
{
    public required BlockKind Kind { get; init; }
    public int Repeats { get; init; } = 1;
    public int Kernel { get; init; } = 3;
    public int Stride { get; init; } = 1;
    public double? Expansion { get; init; }
    public int? ExpandedChannels { get; init; }
    public double? Reduction { get; init; }
    /// <summary>Groups of the pointwise convolutions (null: the kind's default, 1).</summary>
    public int? Groups { get; init; }
    /// <summary>Dilation of the spatial convolution (null: 1).</summary>
    public int? Dilation { get; init; }
    public int OutChannels { get; init; }
    public SqueezeExcite? SE { get; init; }
    public Activation Activation { get; init; } = Activation.ReLU;
    public bool NoSkip { get; init; }
    public bool MaxPool { get; init; }
    public bool DenseInput { get; init; }

    /// <summary>The kind's code (the first token).</summary>
    public string Code => Kind.Code;

    /// <summary>The hidden width for an input width: x when given, else make_divisible(in × e, divisor).</summary>
    public int Hidden(int inChannels, int divisor = 8) =>
        ExpandedChannels ?? (Expansion is { } e ? Rounding.MakeDivisible(inChannels * e, divisor) : inChannels);

    public override string ToString()
    {
        var accepts = Kind.Accepts;
        bool Writes(BlockTokens t, bool set) => accepts.HasFlag(t) && (set || Kind.AlwaysWritten.HasFlag(t));
        var sb = new StringBuilder(Kind.Code);
        sb.Append("_r").Append(Repeats);
        if (Writes(BlockTokens.Kernel, Kernel != 3)) sb.Append("_k").Append(Kernel);
        sb.Append("_s").Append(Stride);
        if (Expansion is { } e) sb.Append("_e").Append(Format.Number(e));
        if (ExpandedChannels is { } x) sb.Append("_x").Append(x);
        if (Reduction is { } t) sb.Append("_t").Append(Format.Number(t));
        if (Groups is { } g) sb.Append("_g").Append(g);
        if (Dilation is { } d) sb.Append("_d").Append(d);
        sb.Append("_c").Append(OutChannels);
        if (SE is { } se) sb.Append('_').Append(se);
        if (Writes(BlockTokens.Activation, Activation != Activation.ReLU)) sb.Append("_a").Append(Activation.Name());
        if (NoSkip) sb.Append("_noskip");
        if (MaxPool) sb.Append("_mp");
        if (DenseInput) sb.Append("_densein");
        return sb.ToString();
    }

    /// <summary>Parses the text form with the default registry's kinds.</summary>
    public static BlockSpec Parse(string text) => Parse(text, BlockKindRegistry.Default);

    /// <summary>Parses the text form; any unknown, repeated, malformed or missing token is an error naming it.</summary>
    public static BlockSpec Parse(string text, BlockKindRegistry kinds) => Parse(text, kinds, template: false);

    /// <summary>
    /// A block template without repeats, stride and channels (a cell op's definition): the grammar
    /// is checked now, the kind's rules when the cell gives it a width (<see cref="Validate"/>).
    /// </summary>
    public static BlockSpec ParseTemplate(string text, BlockKindRegistry? kinds = null) => Parse(text, kinds ?? BlockKindRegistry.Default, template: true);

    private static BlockSpec Parse(string text, BlockKindRegistry kinds, bool template)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new SpecFormatException("block spec is empty");
        var tokens = text.Trim().Split('_');
        if (!kinds.TryGet(tokens[0], out var kind))
            throw new SpecFormatException($"block '{text}': unknown block type '{tokens[0]}' at token 1 (expected one of {string.Join(", ", kinds.Codes)})");
        var spec = new BlockSpec { Kind = kind };
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
            if (TokenOf(key, value) is { } token && !kind.Accepts.HasFlag(token))
                throw new SpecFormatException($"{Where()}: '{kind.Code}' blocks take no {Describe(key)}");
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
                case "g": spec = spec with { Groups = Int(1) }; break;
                case "d": spec = spec with { Dilation = Int(1) }; break;
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
                case "densein" when value.Length == 0: spec = spec with { DenseInput = true }; break;
                default: throw new SpecFormatException($"{Where()}: unknown token");
            }
        }
        if (template) return spec with { OutChannels = 0 };
        if (!hasC) throw new SpecFormatException($"block '{text}': missing output channels token 'c<N>'");
        spec.Validate(text);
        return spec;
    }

    private static (string key, string value) Split(string tok)
    {
        foreach (var k in new[] { "noskip", "densein", "hse", "se", "mp", "a" })
            if (tok.StartsWith(k, StringComparison.Ordinal)) return (k, tok[k.Length..]);
        int i = 0;
        while (i < tok.Length && char.IsAsciiLetterLower(tok[i])) i++;
        return (tok[..i], tok[i..]);
    }

    private static BlockTokens? TokenOf(string key, string value) => key switch
    {
        "k" => BlockTokens.Kernel,
        "e" => BlockTokens.Expansion,
        "x" => BlockTokens.ExpandedChannels,
        "t" => BlockTokens.Reduction,
        "g" => BlockTokens.Groups,
        "d" => BlockTokens.Dilation,
        "se" or "hse" => BlockTokens.SqueezeExcite,
        "a" => BlockTokens.Activation,
        "noskip" when value.Length == 0 => BlockTokens.NoSkip,
        "mp" when value.Length == 0 => BlockTokens.MaxPool,
        "densein" when value.Length == 0 => BlockTokens.DenseInput,
        _ => null,
    };

    private static string Describe(string key) => key switch
    {
        "e" or "x" => "e/x token",
        "se" or "hse" => "squeeze-excite",
        "noskip" => "noskip flag (no skip to disable)",
        "mp" => "mp flag",
        "densein" => "densein flag",
        _ => $"{key} token",
    };

    /// <summary>Checks the tokens the kind allows and needs, then its own rules; throws naming the block.</summary>
    public void Validate(string? text = null)
    {
        string name = text ?? ToString();
        void Fail(string why) => throw new SpecFormatException($"block '{name}': {why}");
        if (Kind is null) Fail("no block kind");
        if (OutChannels < 1) Fail("output channels must be >= 1");
        if (Repeats < 1) Fail("repeats must be >= 1");
        if (Stride < 1 || Stride > 2) Fail("stride must be 1 or 2");
        if (Kernel < 1 || Kernel % 2 == 0) Fail("kernel must be odd");
        if (Expansion is not null && ExpandedChannels is not null) Fail("give either e (ratio) or x (channels), not both");
        if (Groups is < 1) Fail("groups must be >= 1");
        if (Dilation is < 1) Fail("dilation must be >= 1");
        var given = Given();
        var refused = given & ~Kind!.Accepts;
        if (refused != BlockTokens.None) Fail($"'{Code}' blocks take no {string.Join(", ", Names(refused))}");
        var required = Kind.Requires;
        const BlockTokens eitherWidth = BlockTokens.Expansion | BlockTokens.ExpandedChannels;
        if ((required & eitherWidth) == eitherWidth)
        {
            // Both flags required means one of them: a ratio or a width.
            if ((given & eitherWidth) == 0) Fail($"'{Code}' blocks need x<mid channels> or e<ratio>");
            required &= ~eitherWidth;
        }
        var missing = required & ~given;
        if (missing != BlockTokens.None) Fail($"'{Code}' blocks need {string.Join(", ", Names(missing))}");
        Kind.Validate(this, Fail);
    }

    /// <summary>The optional tokens this spec sets (at a non-default value).</summary>
    public BlockTokens Given()
    {
        var t = BlockTokens.None;
        if (Kernel != 3) t |= BlockTokens.Kernel;
        if (Expansion is not null) t |= BlockTokens.Expansion;
        if (ExpandedChannels is not null) t |= BlockTokens.ExpandedChannels;
        if (Reduction is not null) t |= BlockTokens.Reduction;
        if (Groups is not null) t |= BlockTokens.Groups;
        if (Dilation is not null) t |= BlockTokens.Dilation;
        if (SE is not null) t |= BlockTokens.SqueezeExcite;
        if (Activation != Activation.ReLU) t |= BlockTokens.Activation;
        if (NoSkip) t |= BlockTokens.NoSkip;
        if (MaxPool) t |= BlockTokens.MaxPool;
        if (DenseInput) t |= BlockTokens.DenseInput;
        return t;
    }

    private static IEnumerable<string> Names(BlockTokens tokens)
    {
        foreach (var (t, n) in TokenNames)
            if (tokens.HasFlag(t)) yield return n;
    }

    private static readonly (BlockTokens, string)[] TokenNames =
    [
        (BlockTokens.Kernel, "k (kernel)"), (BlockTokens.Expansion, "e (expansion)"), (BlockTokens.ExpandedChannels, "x (expanded channels)"),
        (BlockTokens.Reduction, "t (reduction)"), (BlockTokens.Groups, "g (groups)"), (BlockTokens.Dilation, "d (dilation)"),
        (BlockTokens.SqueezeExcite, "squeeze-excite"), (BlockTokens.Activation, "a (activation)"), (BlockTokens.NoSkip, "noskip"),
        (BlockTokens.MaxPool, "mp"), (BlockTokens.DenseInput, "densein"),
    ];
}

internal static class Format
{
    public static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
