namespace Research.Training.Data;

/// <summary>
/// Seeded index permutations and two-way splits (e.g. train / validation). System.Random(seed) is
/// used rather than torch's generator so a split does not depend on the native library or on how
/// much of torch's random stream something else consumed.
/// </summary>
public static class DatasetSplit
{
    /// <summary>0..count-1 shuffled by Fisher–Yates; the same seed gives the same order.</summary>
    public static int[] Permutation(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        var rng = new Random(seed);
        for (int i = count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>
    /// A seeded permutation of 0..count-1 cut in two: the first round(count · firstFraction) indices,
    /// then the rest. Both parts are kept non-empty, since a fraction strictly inside (0, 1) asks for
    /// two parts. Together they cover every index exactly once.
    /// </summary>
    public static (int[] First, int[] Second) Split(int count, double firstFraction, int seed)
    {
        if (!(firstFraction > 0 && firstFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(firstFraction), firstFraction, "the split fraction must be inside (0, 1)");
        if (count < 2)
            throw new ArgumentOutOfRangeException(nameof(count), count, "need at least 2 items to split into two non-empty parts");
        var firstCount = (int)Math.Clamp(Math.Round(count * firstFraction, MidpointRounding.AwayFromZero), 1, count - 1);
        var order = Permutation(count, seed);
        return (order[..firstCount], order[firstCount..]);
    }

    /// <summary>
    /// A dataset's training part cut into (train, held out) for model selection: the held-out
    /// fraction by a fixed seed, so every search and stage holds out the same images. The test
    /// part is never touched.
    /// </summary>
    public static DatasetPair HoldOut(DatasetPair data, double heldOutFraction)
    {
        // A dataset with a validation part of its own (a folder's val/) holds that out instead.
        if (data.Validation is { } own) return data with { Test = own, Validation = null };
        var (trainIdx, valIdx) = Split(data.Train.Count, 1 - heldOutFraction, seed: 0);
        return data with { Train = data.Train.Select(trainIdx, data.Train.Name + "-train"), Test = data.Train.Select(valIdx, data.Train.Name + "-val"), Validation = null };
    }
}
