namespace Research.Torch.Tests;

public class ToStringTests
{
    [Fact]
    public void IntegralFloatsPrintWithTrailingDot()
    {
        using var t = torch.tensor(new float[] { 1, 2, 3 });
        Assert.Equal("tensor([1., 2., 3.])", t.ToString());
    }

    [Fact]
    public void FractionalFloatsPrintFourDecimals()
    {
        using var t = torch.tensor(new float[] { 0.5f, 1.25f, 3f });
        Assert.Equal("tensor([0.5000, 1.2500, 3.0000])", t.ToString());
        using var n = torch.tensor(new float[] { -0.5f, 0.125f });
        var s = n.ToString();
        Assert.Contains("-0.5000", s);
        Assert.Contains("0.1250", s);
    }

    [Fact]
    public void IntegersAndBools()
    {
        using var l = torch.tensor(new long[] { 10, 20, 42 });
        Assert.Equal("tensor([10, 20, 42])", l.ToString());
        using var neg = torch.tensor(new long[] { -1, 7 });
        Assert.Contains("-1", neg.ToString());
        using var b = torch.tensor(new[] { true, false });
        Assert.Equal("tensor([True, False])", b.ToString());
    }

    [Fact]
    public void MatricesAndScalars()
    {
        using var m = torch.tensor(new long[] { 1, 2, 3, 4 }, [2, 2]);
        Assert.Equal("tensor([[1, 2],\n        [3, 4]])", m.ToString());
        using var s = torch.full([], 3);
        Assert.Equal("tensor(3.)", s.ToString());
        using var e = torch.zeros(0);
        Assert.Equal("tensor([])", e.ToString());
    }

    [Fact]
    public void HigherRankBlocksAreSeparatedByBlankLines()
    {
        // print(torch.arange(8).view(2, 2, 2))
        using var t = torch.arange(8).view(2, 2, 2);
        Assert.Equal("tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]])", t.ToString());
    }

    [Fact]
    public void NonDefaultDtypesAndGradAreNamed()
    {
        using var d = torch.tensor(new double[] { 1.5 });
        var ds = d.ToString();
        Assert.StartsWith("tensor([1.5000]", ds);
        Assert.Contains("float64", ds);
        using var i = torch.tensor(new[] { 7 });
        Assert.Contains("int32", i.ToString());
        using var g = torch.ones([2], requires_grad: true);
        Assert.Equal("tensor([1., 1.], requires_grad=True)", g.ToString());
        using var n = torch.tensor(new float[] { float.NaN, float.PositiveInfinity, 0.5f });
        var ns = n.ToString();
        Assert.Contains("nan", ns);
        Assert.Contains("inf", ns);
        Assert.Contains("0.5000", ns);
    }

    [Fact]
    public void LargeTensorsAreSummarised()
    {
        using var t = torch.arange(2000);
        var s = t.ToString();
        Assert.StartsWith("tensor([", s);
        Assert.Contains("...", s);
        Assert.Contains("1999", s);
        Assert.DoesNotContain("1000", s);
        Assert.True(s.Length < 80, s);
        using var small = torch.arange(8);
        Assert.Equal("tensor([0, 1, 2, 3, 4, 5, 6, 7])", small.ToString());
        Assert.Contains("...", small.ToString(maxElements: 4));
    }

    [Fact]
    public void DisposedTensorSaysSo()
    {
        var t = torch.zeros(1);
        t.Dispose();
        Assert.Equal("tensor(<disposed>)", t.ToString());
    }
}
