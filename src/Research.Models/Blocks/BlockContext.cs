namespace Research.Models.Blocks;

/// <summary>
/// What blocks need from the network: BN settings, the channel divisor, their drop-connect
/// (drop-path) rate, whether their batch norms are affine (DARTS's supernet ops are not), and the
/// network's drop-path schedule, which scales every rate as training goes (DARTS's epoch schedule).
/// </summary>
public sealed record BlockContext(double BnEps, double BnMomentum, int ChannelDivisor, double DropConnect = 0)
{
    public bool Affine { get; init; } = true;

    /// <summary>Shared by every block of one network (null: rates stay as built).</summary>
    public DropPathSchedule? Schedule { get; init; }

    /// <summary>This block's drop rate, read at each forward pass.</summary>
    public DropRate Drop => new(DropConnect, Schedule);

    public static BlockContext Of(NetworkSpec spec) => new(spec.BnEps, spec.BnMomentum, spec.ChannelDivisor);
}

/// <summary>The factor every drop rate of a network is multiplied by; the trainer sets it at each epoch.</summary>
public sealed class DropPathSchedule
{
    public double Factor { get; set; } = 1;
}

/// <summary>A block's drop-connect rate: its base rate times the network's schedule factor.</summary>
public readonly record struct DropRate(double Base, DropPathSchedule? Schedule)
{
    public double Value => Base * (Schedule?.Factor ?? 1);

    public Torch.Tensor Apply(Torch.Tensor branch, bool training) => DropConnect.Apply(branch, Value, training);
}
