using Research.Models.Blocks;
using Research.Models.Cells;

namespace Research.Search.Darts;

/// <summary>
/// One supernet edge: the softmax-weighted sum of every candidate op (the zero op contributes
/// nothing and is not computed). With partial channels K > 1 (PC-DARTS) only the first C/K
/// channels go through the ops; the rest bypass them (max-pooled when the edge strides) and
/// the result is channel-shuffled so every channel takes the op path over a few steps.
/// </summary>
public sealed class MixedOp : Module
{
    private readonly int _k;
    private readonly int _stride;
    private readonly int[] _opIndex;

    public MixedOp(IReadOnlyList<CellOp> ops, int channels, int stride, int partialChannels, BlockContext ctx) : base(nameof(MixedOp))
    {
        if (partialChannels < 1 || channels % partialChannels != 0 || channels / partialChannels % 2 != 0)
            throw new ArgumentException($"partial_channels {partialChannels}: the supernet width {channels} must split into {partialChannels} groups of an even size");
        (_k, _stride) = (partialChannels, stride);
        Ops = new ModuleList<Module<Tensor, Tensor>>();
        var index = new List<int>();
        for (int o = 0; o < ops.Count; o++)
        {
            if (ops[o].Form.Build(ops[o], channels / partialChannels, stride, ctx, search: true) is not { } m) continue;
            Ops.Add(m);
            index.Add(o);
        }
        _opIndex = index.ToArray();
        register_module("ops", Ops);
    }

    public ModuleList<Module<Tensor, Tensor>> Ops { get; }

    /// <param name="x">The edge's input.</param>
    /// <param name="weights">Softmax weights of this edge over all candidate ops (zero op included), shape [ops].</param>
    public Tensor Forward(Tensor x, Tensor weights)
    {
        var xa = _k == 1 ? x : x.narrow(1, 0, x.size(1) / _k);
        Tensor? sum = null;
        for (int i = 0; i < Ops.Count; i++)
        {
            var y = Ops[i].call(xa) * weights.narrow(0, _opIndex[i], 1);
            sum = sum is null ? y : sum + y;
        }
        if (_k == 1) return sum!;
        var rest = x.narrow(1, x.size(1) / _k, x.size(1) - x.size(1) / _k);
        if (_stride == 2) rest = torch.nn.functional.max_pool2d(rest, 3, 2, 1);
        return ShuffleV2Unit.ChannelShuffle(torch.cat([sum!, rest], 1), _k);
    }
}
