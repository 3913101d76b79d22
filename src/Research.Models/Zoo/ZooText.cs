namespace Research.Models.Zoo;

/// <summary>The zoo's families are written in the block text form; these read it.</summary>
internal static class ZooText
{
    public static BlockSpec Block(string text) => BlockSpec.Parse(text);

    public static EquatableList<EquatableList<BlockSpec>> Stages(params IEnumerable<BlockSpec>[] stages) =>
        stages.Select(s => s.ToEquatableList()).ToEquatableList();
}
