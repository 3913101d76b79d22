namespace Research.Training.Data;

/// <summary>
/// A generated dataset for quick runs and tests that must not depend on downloaded files. Each
/// class is a bright bar at its own angle (class k at k·180°/classes) through a randomly shifted
/// point near the centre, on a noisy background. The angle is visible both to local filters and to
/// flattened pixels, and the shift and noise keep it from being memorised pixel for pixel, so a
/// small CNN fits it within an epoch or two. Deterministic for a seed: System.Random(seed), not torch.
/// </summary>
public static class Synthetic
{
    public const int DefaultTrainCount = 2_000;
    public const int DefaultTestCount = 500;
    public const int DefaultClasses = 10;
    public const int DefaultChannels = 1;
    public const int DefaultSize = 28;

    /// <summary>Mixed into the seed for the test part, so it holds different images from the training part.</summary>
    private const int TestSeedSalt = 0x2545F491;

    public static ImageDataset Create(int count, int classes, int channels, int size, int seed, string name = "synthetic")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 4);
        if ((long)count * channels * size * size > Array.MaxLength)
            throw new ArgumentException($"{count} images of {channels}x{size}x{size} are more than one array can hold");

        var rng = new Random(seed);
        // Equal class counts (up to one), in shuffled order so any prefix (Take) is mixed too.
        var labels = new long[count];
        for (int i = 0; i < count; i++) labels[i] = i % classes;
        for (int i = count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (labels[i], labels[j]) = (labels[j], labels[i]);
        }

        var pixels = new byte[(long)count * channels * size * size];
        var half = size / 2.0;
        var width = Math.Max(1.0, size / 14.0);
        var maxShift = size / 6.0;
        var step = Math.PI / classes;
        var plane = size * size;
        for (int i = 0; i < count; i++)
        {
            // Jitter the angle by at most a tenth of the gap between classes: varied, never ambiguous.
            var angle = labels[i] * step + (rng.NextDouble() - 0.5) * 0.2 * step;
            var nx = -Math.Sin(angle);
            var ny = Math.Cos(angle);
            var shift = (rng.NextDouble() * 2 - 1) * maxShift;
            var brightness = 160 + rng.NextDouble() * 80;
            for (int c = 0; c < channels; c++)
            {
                var image = pixels.AsSpan((i * channels + c) * plane, plane);
                for (int y = 0; y < size; y++)
                {
                    var py = y + 0.5 - half;
                    for (int x = 0; x < size; x++)
                    {
                        var d = ((x + 0.5 - half) * nx + py * ny - shift) / width;
                        var v = rng.NextDouble() * 48 + brightness * Math.Exp(-d * d);
                        image[y * size + x] = (byte)Math.Clamp(v, 0, 255);
                    }
                }
            }
        }
        var classNames = Enumerable.Range(0, classes).Select(k => $"bar {k * 180.0 / classes:0.#}°").ToArray();
        return new ImageDataset(name, pixels, labels, channels, size, size, classes, classNames);
    }

    /// <summary>A training and a test part drawn from different seeds derived from one.</summary>
    public static DatasetPair Load(int seed = 0, int trainCount = DefaultTrainCount, int testCount = DefaultTestCount,
        int classes = DefaultClasses, int channels = DefaultChannels, int size = DefaultSize) =>
        new(Create(trainCount, classes, channels, size, seed, "synthetic/train"),
            Create(testCount, classes, channels, size, seed ^ TestSeedSalt, "synthetic/test"));
}
