namespace Research.Models.Networks;

/// <summary>One block instance of a block network: its stage, its index in the stage and in the network, and its place (input width, spec, repeat).</summary>
public readonly record struct BlockSlot(int Stage, int Index, int Global, BlockPlace Place)
{
    /// <summary>The module path the builder gives it (<c>stages.{stage}.{index}</c>).</summary>
    public string Path => $"stages.{Stage}.{Index}";
}

/// <summary>The block instances of a block network in order, with the width each reads: one walk for the builder, the cost model and validation.</summary>
public static class BlockSequence
{
    public static IEnumerable<BlockSlot> Of(NetworkSpec spec)
    {
        int channels = spec.EffectiveStem.OutChannels, global = 0;
        for (int s = 0; s < spec.Stages.Count; s++)
        {
            int i = 0;
            foreach (var b in spec.Stages[s])
                for (int r = 0; r < b.Repeats; r++)
                {
                    yield return new BlockSlot(s, i++, global++, new BlockPlace(channels, b, r));
                    channels = b.OutChannels;
                }
        }
    }
}
