namespace Research.Training.Tests;

public class DatasetSplitTests
{
    [Theory]
    [InlineData(10, 0.8, 8)]
    [InlineData(1000, 0.9, 900)]
    [InlineData(7, 0.5, 4)]
    [InlineData(3, 0.01, 1)]
    [InlineData(3, 0.99, 2)]
    public void PartsAreDisjointAndComplete(int count, double fraction, int firstCount)
    {
        var (first, second) = DatasetSplit.Split(count, fraction, seed: 5);
        Assert.Equal(firstCount, first.Length);
        Assert.Equal(count - firstCount, second.Length);
        Assert.Empty(first.Intersect(second));
        Assert.Equal(Enumerable.Range(0, count), first.Concat(second).Order());
    }

    [Fact]
    public void SameSeedSameSplitOtherSeedOther()
    {
        var a = DatasetSplit.Split(500, 0.8, seed: 1);
        var b = DatasetSplit.Split(500, 0.8, seed: 1);
        var c = DatasetSplit.Split(500, 0.8, seed: 2);
        Assert.Equal(a.First, b.First);
        Assert.Equal(a.Second, b.Second);
        Assert.NotEqual(a.First, c.First);
        // Shuffled, not a prefix of 0..n-1.
        Assert.NotEqual(Enumerable.Range(0, 400), a.First);
    }

    [Fact]
    public void PermutationIsSeededAndComplete()
    {
        var p = DatasetSplit.Permutation(100, seed: 9);
        Assert.Equal(Enumerable.Range(0, 100), p.Order());
        Assert.Equal(p, DatasetSplit.Permutation(100, seed: 9));
        Assert.NotEqual(p, DatasetSplit.Permutation(100, seed: 10));
        Assert.Empty(DatasetSplit.Permutation(0, seed: 1));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void FractionMustBeInsideZeroOne(double fraction)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplit.Split(10, fraction, seed: 0));
        Assert.Equal("firstFraction", e.ParamName);
    }

    [Fact]
    public void TooFewItemsIsAnError() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplit.Split(1, 0.5, seed: 0));
}
