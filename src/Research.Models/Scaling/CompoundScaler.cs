namespace Research.Models.Scaling;

/// <summary>
/// EfficientNet's compound scaling as pure functions from spec to spec. Width multiplies every
/// channel count and rounds it with make_divisible (never below 90%); depth scales each stage's
/// total repeats with ceil and spreads them over its blocks as timm does (the last blocks first);
/// resolution and dropout are set per member.
/// </summary>
public static class CompoundScaler
{
    /// <summary>Formula mode: d = α^φ, w = β^φ, r = γ^φ (φ may be fractional).</summary>
    public static (double depth, double width, double resolution) Multipliers(double alpha, double beta, double gamma, double phi)
    {
        if (!(alpha >= 1) || !(beta >= 1) || !(gamma >= 1)) throw new ArgumentOutOfRangeException(nameof(alpha), "alpha, beta and gamma must be >= 1");
        if (!double.IsFinite(phi) || phi < 0) throw new ArgumentOutOfRangeException(nameof(phi), phi, "phi must be >= 0");
        return (Math.Pow(alpha, phi), Math.Pow(beta, phi), Math.Pow(gamma, phi));
    }

    /// <summary>The FLOPs growth the formula predicts for one step of φ: α·β²·γ².</summary>
    public static double Constraint(double alpha, double beta, double gamma) => alpha * beta * beta * gamma * gamma;

    /// <summary>Resolution × multiplier, rounded to the nearest multiple of the divisor.</summary>
    public static int RoundResolution(int baseResolution, double multiplier, int divisor = 8)
    {
        if (divisor < 1) throw new ArgumentOutOfRangeException(nameof(divisor), divisor, "divisor must be >= 1");
        if (multiplier == 1.0) return baseResolution; // φ = 0 is the base itself, even at a resolution off the divisor (28)
        return Math.Max(divisor, (int)Math.Round(baseResolution * multiplier / divisor, MidpointRounding.ToEven) * divisor);
    }

    /// <summary>EfficientNet's dropout schedule, relative to the base: +0.1 every second step of φ (B0–B7: 0.2 … 0.5).</summary>
    public static double DefaultDropout(double baseDropout, double phi) => Math.Min(0.5, baseDropout + 0.1 * Math.Floor(phi / 2));

    /// <summary>A member from formula mode.</summary>
    public static ScalingMember Member(NetworkSpec baseSpec, double alpha, double beta, double gamma, double phi, int resolutionDivisor = 8)
    {
        var (d, w, r) = Multipliers(alpha, beta, gamma, phi);
        return new ScalingMember($"{baseSpec.Name}-phi{Specs.Format.Number(phi)}", phi, w, d, RoundResolution(baseSpec.Resolution, r, resolutionDivisor),
            DefaultDropout(baseSpec.Head.Dropout, phi));
    }

    /// <summary>The base spec grown by a member's multipliers.</summary>
    public static NetworkSpec Scale(NetworkSpec spec, ScalingMember m)
    {
        if (!(m.WidthMultiplier > 0) || !(m.DepthMultiplier > 0)) throw new ArgumentOutOfRangeException(nameof(m), "multipliers must be positive");
        int div = spec.ChannelDivisor;
        int Width(int c, int multiple = 1) => m.WidthMultiplier == 1.0 ? c : Rounding.MakeDivisible(c * m.WidthMultiplier, Lcm(div, multiple));
        // A block's width is also rounded to what its kind and the next block's kind need (groups, halves).
        var order = spec.Blocks.Prepend(spec.Stem).ToList();
        var multiples = order.Select((b, i) => Lcm(b.Kind.WidthMultiple(b), i + 1 < order.Count ? order[i + 1].Kind.InputMultiple(order[i + 1]) : 1)).ToList();
        int at = 0;
        BlockSpec Widen(BlockSpec b) =>
            b with { OutChannels = Width(b.OutChannels, multiples[at++]), ExpandedChannels = b.ExpandedChannels is { } x ? Width(x) : null };
        var stem = Widen(spec.Stem);
        var stages = spec.Stages.Select(stage => ScaleDepth(stage.Select(Widen).ToList(), m.DepthMultiplier).ToEquatableList()).ToEquatableList();
        var head = spec.Head with
        {
            ConvChannels = spec.Head.ConvChannels > 0 ? Width(spec.Head.ConvChannels) : 0,
            HiddenFeatures = spec.Head.HiddenFeatures > 0 && !spec.Head.HiddenAsConv ? Width(spec.Head.HiddenFeatures) : spec.Head.HiddenFeatures,
            Dropout = m.Dropout,
        };
        return (spec with { Name = m.Name, Stem = stem, Stages = stages, Head = head, Resolution = m.Resolution }).Validate();
    }

    private static int Lcm(int a, int b)
    {
        int x = a, y = b;
        while (y != 0) (x, y) = (y, x % y);
        return a / x * b;
    }

    /// <summary>
    /// A stage's total repeats R become ⌈R·d⌉, given back to its blocks in proportion, last block first
    /// (timm's rule; for a one-block stage this is EfficientNet's round_repeats). Python's round() is banker's rounding.
    /// </summary>
    public static IEnumerable<BlockSpec> ScaleDepth(IReadOnlyList<BlockSpec> stage, double depth)
    {
        if (depth == 1.0) return stage;
        int total = stage.Sum(b => b.Repeats);
        int scaled = Rounding.RoundRepeats(total, depth);
        var repeats = new int[stage.Count];
        int leftTotal = total, leftScaled = scaled;
        for (int i = stage.Count - 1; i >= 0; i--)
        {
            int r = stage[i].Repeats;
            int rs = Math.Max(1, (int)Math.Round((double)r / leftTotal * leftScaled, MidpointRounding.ToEven));
            repeats[i] = rs;
            leftTotal -= r;
            leftScaled -= rs;
        }
        return stage.Select((b, i) => b with { Repeats = repeats[i] });
    }
}
