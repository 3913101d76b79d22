namespace Research.Models.Specs;

/// <summary>
/// A whole network as data: stem block, stages of blocks, head, and the options the builder
/// and cost model need. Immutable with value equality; scaling and search map specs to specs.
/// </summary>
public sealed record NetworkSpec
{
    public required string Name { get; init; }
    public required BlockSpec Stem { get; init; }
    public required EquatableList<EquatableList<BlockSpec>> Stages { get; init; }
    public required HeadSpec Head { get; init; }
    public int InChannels { get; init; } = 3;
    public int Classes { get; init; } = 1000;
    public int Resolution { get; init; } = 224;

    /// <summary>For 28×28 / 32×32 images: the stem has stride 1 and no max-pool (the rest is unchanged).</summary>
    public bool SmallInput { get; init; }

    /// <summary>Stochastic depth: block i of n drops its residual branch with probability DropConnect × i / n in training (see <see cref="DropSchedule"/>).</summary>
    public double DropConnect { get; init; }

    /// <summary>How <see cref="DropConnect"/> is spread: over depth (default) or over epochs (DARTS).</summary>
    public DropSchedule DropSchedule { get; init; } = DropSchedule.Depth;

    /// <summary>DARTS's auxiliary classifier, for cell networks (null: none).</summary>
    public AuxiliaryHeadSpec? Auxiliary { get; init; }

    public double BnEps { get; init; } = 1e-5;
    public double BnMomentum { get; init; } = 0.1;

    /// <summary>Channel counts are multiples of this (8 for most families, 4 for GhostNet).</summary>
    public int ChannelDivisor { get; init; } = 8;

    public InitScheme Init { get; init; } = InitScheme.Default;

    /// <summary>The searched cell pair that 'dc' blocks are built from (null: a plain block network).</summary>
    public Cells.Genotype? Cell { get; init; }

    public bool IsCellNetwork => Cell is not null;

    public IEnumerable<BlockSpec> Blocks => Stages.SelectMany(s => s);

    /// <summary>The number of block instances (repeats expanded), for drop-connect scheduling.</summary>
    public int BlockCount => Blocks.Sum(b => b.Repeats);

    /// <summary>The stem as built: stride 1 and no pooling for small inputs.</summary>
    public BlockSpec EffectiveStem => SmallInput ? Stem with { Stride = 1, MaxPool = false } : Stem;

    /// <summary>Checks every block and option, and each block against the width it reads; throws SpecFormatException naming the place.</summary>
    public NetworkSpec Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new SpecFormatException("network: name is empty");
        if (Stem.Kind is not Research.Models.Blocks.ConvKind) throw new SpecFormatException($"network '{Name}': the stem must be a 'cn' block, not '{Stem}'");
        Stem.Validate();
        if (Stages.Count == 0) throw new SpecFormatException($"network '{Name}': no stages");
        for (int s = 0; s < Stages.Count; s++)
        {
            if (Stages[s].Count == 0) throw new SpecFormatException($"network '{Name}': stage {s + 1} is empty");
            foreach (var b in Stages[s]) b.Validate();
        }
        Head.Validate();
        if (InChannels < 1) throw new SpecFormatException($"network '{Name}': in_channels {InChannels} must be >= 1");
        if (Classes < 1) throw new SpecFormatException($"network '{Name}': classes {Classes} must be >= 1");
        if (Resolution < 8) throw new SpecFormatException($"network '{Name}': resolution {Resolution} must be >= 8");
        if (DropConnect < 0 || DropConnect >= 1) throw new SpecFormatException($"network '{Name}': drop_connect {DropConnect} must be in [0, 1)");
        if (ChannelDivisor < 1) throw new SpecFormatException($"network '{Name}': channel_divisor must be >= 1");
        bool anyCell = Blocks.Any(b => b.Kind is Cells.CellKind);
        if (anyCell && Cell is null) throw new SpecFormatException($"network '{Name}': 'dc' cells need the network's 'cell' genotype");
        if (Cell is not null)
        {
            if (!Blocks.All(b => b.Kind is Cells.CellKind)) throw new SpecFormatException($"network '{Name}': a cell network's stages hold only 'dc' cells");
            Cell.Validate();
            if (Blocks.Any(b => b.OutChannels % 2 != 0)) throw new SpecFormatException($"network '{Name}': cell widths must be even");
        }
        if (Auxiliary is { } aux)
        {
            if (Cell is null) throw new SpecFormatException($"network '{Name}': an auxiliary head needs a cell network");
            aux.Validate(Name);
            if (aux.AfterCell >= BlockCount) throw new SpecFormatException($"network '{Name}': auxiliary.after {aux.AfterCell} is not a cell (the network has {BlockCount})");
        }
        if (Cell is null)
            foreach (var slot in Networks.BlockSequence.Of(this))
                if (slot.Place.Spec.Kind.CheckInput(slot.Place) is { } why)
                    throw new SpecFormatException($"network '{Name}': {slot.Path} (block '{slot.Place.Spec}'): {why}");
        return this;
    }

    public bool Equals(NetworkSpec? other) =>
        other is not null && Name == other.Name && Stem == other.Stem && Stages.Equals(other.Stages) && Head == other.Head &&
        InChannels == other.InChannels && Classes == other.Classes && Resolution == other.Resolution && SmallInput == other.SmallInput &&
        DropConnect.Equals(other.DropConnect) && BnEps.Equals(other.BnEps) && BnMomentum.Equals(other.BnMomentum) &&
        ChannelDivisor == other.ChannelDivisor && Init == other.Init && Equals(Cell, other.Cell) && DropSchedule == other.DropSchedule &&
        Equals(Auxiliary, other.Auxiliary);

    public override int GetHashCode() => HashCode.Combine(Name, Stem, Stages, Head, InChannels, Classes, Resolution, DropConnect);
}
