namespace Research.Torch.Tests;

public class FlipRollTests
{
    [Fact]
    public void FlipReversesTheGivenDims()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(0, 6, dtype: torch.float32).view(2, 3);
        Assert.Equal(new float[] { 2, 1, 0, 5, 4, 3 }, x.flip(1).ToArray<float>());
        Assert.Equal(new float[] { 5, 4, 3, 2, 1, 0 }, x.flip(0, 1).ToArray<float>());
    }

    [Fact]
    public void RollWrapsAround()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(0, 5, dtype: torch.float32);
        Assert.Equal(new float[] { 3, 4, 0, 1, 2 }, x.roll([2], [0]).ToArray<float>());
        Assert.Throws<ArgumentException>(() => x.roll([1, 2], [0]));
    }
}
