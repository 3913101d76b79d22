namespace Research.Models.Cells;

/// <summary>
/// One cell of a stack: its index, whether it (and the cell before it) reduces, the widths of its
/// two inputs and its own width C, and the spatial sizes of its inputs and output.
/// </summary>
public readonly record struct CellSlot(int Index, bool Reduction, bool ReductionPrev, int CPrevPrev, int CPrev, int C,
    int SizePrevPrev, int SizePrev, int OutSize, int OutChannels);

/// <summary>
/// How DARTS stacks cells, in one place for the builder, the cost model and the supernet: each
/// cell reads the two outputs before it (the stem's twice at the start); a reduction cell halves
/// the size (rounding up); a cell's output width is its multiplier (the nodes it concatenates) × C.
/// </summary>
public static class CellStacking
{
    /// <param name="stemChannels">The stem's output width.</param>
    /// <param name="stemSize">The stem's output height (and width).</param>
    /// <param name="cells">Each cell's width C and whether it reduces.</param>
    /// <param name="multiplier">The nodes a normal (false) or reduction (true) cell concatenates.</param>
    public static IEnumerable<CellSlot> Stack(int stemChannels, int stemSize, IEnumerable<(int C, bool Reduction)> cells, Func<bool, int> multiplier)
    {
        int cpp = stemChannels, cp = stemChannels, spp = stemSize, sp = stemSize, index = 0;
        bool reductionPrev = false;
        foreach (var (c, reduction) in cells)
        {
            int outSize = reduction ? (sp + 1) / 2 : sp, outC = multiplier(reduction) * c;
            yield return new CellSlot(index++, reduction, reductionPrev, cpp, cp, c, spp, sp, outSize, outC);
            (cpp, cp, spp, sp, reductionPrev) = (cp, outC, sp, outSize, reduction);
        }
    }

    /// <summary>The cells of a cell network's spec: repeat 0 of a stride-2 'dc' block reduces; each has the block's width.</summary>
    public static IEnumerable<(int C, bool Reduction)> Cells(Specs.NetworkSpec spec) =>
        spec.Blocks.SelectMany(b => Enumerable.Range(0, b.Repeats).Select(r => (b.OutChannels, r == 0 && b.Stride == 2)));
}
