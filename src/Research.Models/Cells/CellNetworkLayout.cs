using System.Text.Json.Nodes;

namespace Research.Models.Cells;

/// <summary>
/// How a genotype is stacked into a discrete network (DARTS's evaluation network): a 3×3 conv
/// stem of <see cref="StemMultiplier"/>·C channels, <see cref="Cells"/> cells of width C, and
/// reduction cells (stride 2, C doubled) at <see cref="Reductions"/> (default: 1/3 and 2/3 of the
/// depth), then global pooling and a linear classifier; optionally DARTS's auxiliary head after
/// the last reduction cell and DARTS's drop-path schedule over epochs.
/// </summary>
public sealed record CellNetworkLayout
{
    public int Cells { get; init; } = 8;
    public int Channels { get; init; } = 16;
    public int StemMultiplier { get; init; } = 3;
    public int StemStride { get; init; } = 1;
    /// <summary>Zero-based indices of the reduction cells (null: ⌊n/3⌋ and ⌊2n/3⌋).</summary>
    public EquatableList<int>? Reductions { get; init; }
    /// <summary>Drop-path rate on every non-identity edge (spread by <see cref="DropPathSchedule"/>).</summary>
    public double DropPath { get; init; }
    /// <summary>Depth: growing linearly with the cell index; epoch: DARTS's p × epoch / epochs in every cell.</summary>
    public Specs.DropSchedule DropPathSchedule { get; init; } = Specs.DropSchedule.Depth;
    /// <summary>The auxiliary head's loss weight (0: no head); DARTS trains with 0.4.</summary>
    public double Auxiliary { get; init; }
    /// <summary>Whether the supernet's op batch norms are affine (DARTS's search: false); the trained network's always are.</summary>
    public bool Affine { get; init; } = true;
    public double Dropout { get; init; }
    public int InChannels { get; init; } = 3;
    public int Classes { get; init; } = 10;
    public int Resolution { get; init; } = 32;

    public IReadOnlyList<int> ReductionCells => Reductions is { } r ? r : Cells >= 3 ? [Cells / 3, 2 * Cells / 3] : [];

    /// <summary>Each cell's width and whether it reduces: C doubles at every reduction cell.</summary>
    public IEnumerable<(int C, bool Reduction)> CellWidths()
    {
        var reductions = ReductionCells.ToHashSet();
        int c = Channels;
        for (int i = 0; i < Cells; i++)
        {
            bool reduction = reductions.Contains(i);
            if (reduction) c *= 2;
            yield return (c, reduction);
        }
    }

    public CellNetworkLayout Validate(string source = "network")
    {
        void Check(bool ok, string what)
        {
            if (!ok) throw new SpecFormatException($"{source}: {what}");
        }
        Check(Cells >= 1, $"cells {Cells} must be >= 1");
        Check(Channels >= 2 && Channels % 2 == 0, $"channels {Channels} must be an even number >= 2");
        Check(StemMultiplier >= 1, $"stem_multiplier {StemMultiplier} must be >= 1");
        Check(StemStride is 1 or 2, $"stem_stride {StemStride} must be 1 or 2");
        var r = ReductionCells;
        Check(r.All(i => i >= 0 && i < Cells) && r.Distinct().Count() == r.Count, $"reductions [{string.Join(", ", r)}] must be distinct cell indices in 0..{Cells - 1}");
        Check(DropPath is >= 0 and < 1, $"drop_path {DropPath} must be in [0, 1)");
        Check(Dropout is >= 0 and < 1, $"dropout {Dropout} must be in [0, 1)");
        Check(Auxiliary is >= 0 and <= 10, $"auxiliary {Auxiliary} must be in [0, 10] (0: no auxiliary head)");
        Check(Auxiliary == 0 || r.Count > 0, "auxiliary: the head reads the last reduction cell's output, and there is none");
        Check(InChannels >= 1 && Classes >= 1 && Resolution >= 8, "in_channels and classes must be >= 1, resolution >= 8");
        return this;
    }

    /// <summary>The network as a spec: one stage per reduction (its first repeat is the reduction cell).</summary>
    public NetworkSpec ToSpec(Genotype genotype, string name)
    {
        Validate();
        genotype.Validate();
        var reductions = ReductionCells.ToHashSet();
        var stages = new List<EquatableList<BlockSpec>>();
        int c = Channels, run = 0, stride = 1;
        void Flush()
        {
            if (run > 0) stages.Add(new EquatableList<BlockSpec>([new BlockSpec { Kind = BlockKinds.Cell, Repeats = run, Stride = stride, OutChannels = c }]));
        }
        for (int i = 0; i < Cells; i++)
        {
            if (reductions.Contains(i))
            {
                Flush();
                (c, run, stride) = (c * 2, 0, 2);
            }
            run++;
        }
        Flush();
        return new NetworkSpec
        {
            Name = name,
            Stem = new BlockSpec { Kind = BlockKinds.Conv, Kernel = 3, Stride = StemStride, OutChannels = Channels * StemMultiplier, Activation = Activation.None },
            Stages = stages.ToEquatableList(),
            Head = new HeadSpec { Dropout = Dropout },
            InChannels = InChannels,
            Classes = Classes,
            Resolution = Resolution,
            DropConnect = DropPath,
            DropSchedule = DropPathSchedule,
            Auxiliary = Auxiliary > 0 ? new AuxiliaryHeadSpec(ReductionCells.Max(), Auxiliary) : null,
            ChannelDivisor = 2,
            Cell = genotype,
        }.Validate();
    }

    /// <summary>Layouts are equal when they build the same network (default reductions equal the same list given explicitly).</summary>
    public bool Equals(CellNetworkLayout? o) =>
        o is not null && Cells == o.Cells && Channels == o.Channels && StemMultiplier == o.StemMultiplier && StemStride == o.StemStride &&
        ReductionCells.SequenceEqual(o.ReductionCells) && DropPath.Equals(o.DropPath) && Dropout.Equals(o.Dropout) &&
        DropPathSchedule == o.DropPathSchedule && Auxiliary.Equals(o.Auxiliary) && Affine == o.Affine &&
        InChannels == o.InChannels && Classes == o.Classes && Resolution == o.Resolution;

    public override int GetHashCode() => HashCode.Combine(Cells, Channels, StemMultiplier, StemStride, ReductionCells.Count, InChannels, Classes, Resolution);

    public JsonObject ToJsonObject()
    {
        var o = new JsonObject
        {
            ["cells"] = Cells, ["channels"] = Channels, ["stem_multiplier"] = StemMultiplier, ["stem_stride"] = StemStride,
            ["reductions"] = new JsonArray(ReductionCells.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()),
            ["drop_path"] = DropPath, ["dropout"] = Dropout, ["in_channels"] = InChannels, ["classes"] = Classes, ["resolution"] = Resolution,
        };
        // Written only when set, so genotype files from before these keys read and write the same.
        if (DropPathSchedule != Specs.DropSchedule.Depth) o["drop_path_schedule"] = ScheduleName(DropPathSchedule);
        if (Auxiliary > 0) o["auxiliary"] = Auxiliary;
        return o;
    }

    public static readonly string[] Keys =
        ["cells", "channels", "stem_multiplier", "stem_stride", "reductions", "drop_path", "drop_path_schedule", "auxiliary", "dropout", "in_channels", "classes", "resolution"];

    public static string ScheduleName(Specs.DropSchedule s) => s == Specs.DropSchedule.Epoch ? "epoch" : "depth";

    /// <summary>depth or epoch; anything else is an error naming the key.</summary>
    public static Specs.DropSchedule ParseSchedule(string? text, string source) => text switch
    {
        "depth" => Specs.DropSchedule.Depth,
        "epoch" => Specs.DropSchedule.Epoch,
        _ => throw new SpecFormatException($"{source}: drop_path_schedule '{text}' must be depth or epoch"),
    };

    public static CellNetworkLayout FromJsonObject(JsonObject o, string source)
    {
        foreach (var (k, _) in o)
            if (!Keys.Contains(k)) throw new SpecFormatException($"{source}: unknown key '{k}' in 'network' (allowed: {string.Join(", ", Keys)})");
        try
        {
            var d = new CellNetworkLayout();
            int Integer(string k, int def) => o[k] is { } n ? n.GetValue<int>() : def;
            double Number(string k, double def) => o[k] is { } n ? n.GetValue<double>() : def;
            return new CellNetworkLayout
            {
                Cells = Integer("cells", d.Cells), Channels = Integer("channels", d.Channels), StemMultiplier = Integer("stem_multiplier", d.StemMultiplier),
                StemStride = Integer("stem_stride", d.StemStride),
                Reductions = o["reductions"] is JsonArray a ? a.Select(n => n!.GetValue<int>()).ToEquatableList() : null,
                DropPath = Number("drop_path", 0), Dropout = Number("dropout", 0), InChannels = Integer("in_channels", d.InChannels),
                DropPathSchedule = o["drop_path_schedule"] is { } ds ? ParseSchedule(ds.GetValue<string>(), $"{source}: network") : Specs.DropSchedule.Depth,
                Auxiliary = Number("auxiliary", 0),
                Classes = Integer("classes", d.Classes), Resolution = Integer("resolution", d.Resolution),
            }.Validate($"{source}: network");
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new SpecFormatException($"{source}: 'network': {e.Message}");
        }
    }
}
