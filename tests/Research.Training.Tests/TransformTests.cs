using Research.Torch;
using Research.Training.Transforms;

namespace Research.Training.Tests;

public class TransformTests
{
    [Fact]
    public void RandomCropKeepsTheShapeAndShiftsContentWithinThePadding()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(16, 1, 8, 8);
        var y = Augmentations.RandomCrop(x, 2);
        Assert.Equal(x.shape, y.shape);
        var perImage = y.sum([1L, 2L, 3L]).ToArray<float>();
        // Each crop keeps at least (8-2)×(8-2) of the ones and at most all 64.
        Assert.All(perImage, s => Assert.InRange(s, 36, 64));
        Assert.Contains(perImage, s => s < 64);
    }

    [Fact]
    public void FlipMirrorsSomeSamplesExactly()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var x = torch.rand(32, 1, 4, 5);
        var y = Augmentations.RandomHorizontalFlip(x);
        int flipped = 0, kept = 0;
        for (int i = 0; i < 32; i++)
        {
            if (y[i].equal(x[i])) kept++;
            else if (y[i].equal(x[i].flip(2))) flipped++;
        }
        Assert.Equal(32, flipped + kept);
        Assert.True(flipped > 0 && kept > 0);
    }

    [Fact]
    public void CutoutZeroesOneSquarePerChosenSample()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(8, 1, 10, 10);
        var y = Augmentations.Cutout(x, 1.0, 0.4);
        var zeros = (1.0 - y).sum([1L, 2L, 3L]).ToArray<float>();
        Assert.All(zeros, z => Assert.InRange(z, 1, 25)); // a 5×5 box (side 4 → half 2) clipped at the border
    }

    [Fact]
    public void BatchTransformNormalisesResizesAndRepeatsChannels()
    {
        using var scope = torch.NewDisposeScope();
        var stats = new ChannelStats([0.5f], [0.25f]);
        var t = new BatchTransform(stats, modelChannels: 3, resolution: 32, AugmentConfig.None);
        var bytes = torch.full([2, 1, 28, 28], 255, ScalarType.Byte);
        var y = t.Apply(bytes, train: false);
        Assert.Equal(new long[] { 2, 3, 32, 32 }, y.shape);
        Assert.Equal(ScalarType.Float32, y.dtype);
        Assert.Equal(2.0f, y.max().item<float>(), 4); // (1 − 0.5) / 0.25
        Assert.Equal(2.0f, y.min().item<float>(), 4);
        var bad = new BatchTransform(new ChannelStats([0.5f, 0.5f, 0.5f], [1f, 1f, 1f]), 1, 28, AugmentConfig.None);
        Assert.Throws<ArgumentException>(() => bad.Apply(torch.zeros([1, 3, 28, 28], ScalarType.Byte), false));
    }

    [Fact]
    public void ChannelStatsMatchAHandComputation()
    {
        var ds = new ImageDataset("two", [0, 255, 255, 255], [0, 1], 1, 1, 2, 2);
        var s = ChannelStats.Of(ds);
        Assert.Equal(0.75f, s.Mean[0], 5);
        Assert.Equal((float)Math.Sqrt(0.1875), s.Std[0], 5);
    }
}
