namespace Research.Torch.Tests;

public class SmokeTests
{
    [Fact]
    public void AddsAndPrints()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var b = a + 1;
        Assert.Equal(new float[] { 2, 3, 4, 5 }, b.ToArray<float>());
        Assert.Equal("tensor([[2., 3.],\n        [4., 5.]])", b.ToString());
    }
}
