namespace Research.Training.Tests;

public class SyntheticTests
{
    [Fact]
    public void SameSeedSameImages()
    {
        var a = Synthetic.Create(50, classes: 5, channels: 3, size: 16, seed: 4);
        var b = Synthetic.Create(50, classes: 5, channels: 3, size: 16, seed: 4);
        var c = Synthetic.Create(50, classes: 5, channels: 3, size: 16, seed: 5);
        Assert.Equal((50, 3, 16, 16, 5), (a.Count, a.Channels, a.Height, a.Width, a.Classes));
        Assert.Equal(a.Images, b.Images);
        Assert.Equal(a.Labels, b.Labels);
        Assert.NotEqual(a.Images, c.Images);
    }

    [Fact]
    public void ClassesAreBalancedAndMixed()
    {
        var d = Synthetic.Create(103, classes: 10, channels: 1, size: 28, seed: 0);
        var counts = d.Labels.CountBy(l => l).ToDictionary();
        Assert.Equal(10, counts.Count);
        Assert.All(counts.Values, n => Assert.InRange(n, 10, 11));
        // Shuffled, so a prefix (--subset) still sees most classes.
        Assert.True(d.Labels.Take(20).Distinct().Count() >= 6);
    }

    [Fact]
    public void TrainAndTestDiffer()
    {
        var (train, test) = Synthetic.Load(seed: 3);
        Assert.Equal((2_000, 500), (train.Count, test.Count));
        Assert.NotEqual(train.Images.AsSpan(0, test.ImageBytes * 10).ToArray(), test.Images.AsSpan(0, test.ImageBytes * 10).ToArray());
        Assert.Equal((1, 28, 28, 10), (train.Channels, train.Height, train.Width, train.Classes));
    }

    [Fact]
    public void ClassesAreSeparableByTheirMeanImage()
    {
        // Learnable: even a nearest-class-mean classifier, far weaker than a CNN, beats chance (10%) by far.
        var (train, test) = Synthetic.Load(seed: 1, trainCount: 500, testCount: 200);
        var pixels = train.ImageBytes;
        var means = new double[train.Classes, pixels];
        var counts = new int[train.Classes];
        for (int i = 0; i < train.Count; i++)
        {
            var k = (int)train.Labels[i];
            counts[k]++;
            for (int p = 0; p < pixels; p++) means[k, p] += train.Images[i * pixels + p];
        }
        for (int k = 0; k < train.Classes; k++)
            for (int p = 0; p < pixels; p++) means[k, p] /= counts[k];

        int correct = 0;
        for (int i = 0; i < test.Count; i++)
        {
            int best = -1;
            double bestDistance = double.MaxValue;
            for (int k = 0; k < test.Classes; k++)
            {
                double distance = 0;
                for (int p = 0; p < pixels; p++)
                {
                    var diff = test.Images[i * pixels + p] - means[k, p];
                    distance += diff * diff;
                }
                if (distance < bestDistance) (best, bestDistance) = (k, distance);
            }
            if (best == test.Labels[i]) correct++;
        }
        Assert.True(correct > 0.6 * test.Count, $"nearest-mean accuracy {correct}/{test.Count}");
    }
}
