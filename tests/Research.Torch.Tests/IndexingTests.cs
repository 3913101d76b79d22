namespace Research.Torch.Tests;

public class IndexingTests
{
    // t[i, j, k] = 12 i + 4 j + k, shape (2, 3, 4)
    private static Tensor T() => torch.arange(24).view(2, 3, 4);

    [Fact]
    public void IntegerIndicesSelectAndDropDims()
    {
        using var t = T();
        using (var r = t[1]) Check.Longs(Enumerable.Range(12, 12).Select(v => (long)v).ToArray(), r, [3, 4]);
        using (var r = t[1, 2]) Check.Longs([20, 21, 22, 23], r, [4]);
        using (var r = t[1, 2, 3]) { Assert.Equal(0, r.dim()); Assert.Equal(23L, r.item<long>()); }
    }

    [Fact]
    public void NegativeIndicesCountFromTheEnd()
    {
        using var t = T();
        using (var r = t[-1, -1, -1]) Assert.Equal(23L, r.item<long>());
        using (var r = t[0, -2]) Check.Longs([4, 5, 6, 7], r, [4]);
        using (var r = t[-2, 0, -4]) Assert.Equal(0L, r.item<long>());
    }

    [Fact]
    public void RangesSlice()
    {
        using var t = T();
        using (var r = t[0, 1..3]) Check.Longs([4, 5, 6, 7, 8, 9, 10, 11], r, [2, 4]);
        using (var r = t[.., 0, 1..]) Check.Longs([1, 2, 3, 13, 14, 15], r, [2, 3]);
        using (var r = t[1, ^2.., ^1..]) Check.Longs([19, 23], r, [2, 1]);
        using (var r = t[0, 0, ..^1]) Check.Longs([0, 1, 2], r, [3]);
        using (var r = t[0, 0, TensorIndex.Slice(.., 2)]) Check.Longs([0, 2], r, [2]);
        using (var r = t[1, TensorIndex.Colon, TensorIndex.Slice(1..4, 2)]) Check.Longs([13, 15, 17, 19, 21, 23], r, [3, 2]);
        using (var r = t[0, 1..1]) Assert.Equal(new long[] { 0, 4 }, r.shape); // empty slice
    }

    [Fact]
    public void EllipsisSkipsTheMiddleDims()
    {
        using var t = T();
        using (var r = t[TensorIndex.Ellipsis, 0]) Check.Longs([0, 4, 8, 12, 16, 20], r, [2, 3]);
        using (var r = t[1, TensorIndex.Ellipsis, 3]) Check.Longs([15, 19, 23], r, [3]);
        using (var r = t[TensorIndex.Ellipsis, 1..3, 0]) Check.Longs([4, 8, 16, 20], r, [2, 2]);
        using (var r = t[TensorIndex.Ellipsis]) Assert.Equal(new long[] { 2, 3, 4 }, r.shape);
    }

    [Fact]
    public void NoneAddsADim()
    {
        using var t = T();
        using (var r = t[TensorIndex.None]) Assert.Equal(new long[] { 1, 2, 3, 4 }, r.shape);
        using (var r = t[0, TensorIndex.None]) Assert.Equal(new long[] { 1, 3, 4 }, r.shape);
        using (var r = t[TensorIndex.Ellipsis, TensorIndex.None]) Assert.Equal(new long[] { 2, 3, 4, 1 }, r.shape);
        using (var r = t[1, TensorIndex.None, 2, TensorIndex.None])
            Check.Longs([20, 21, 22, 23], r, [1, 1, 4]);
    }

    [Fact]
    public void TensorIndexPicksRows()
    {
        using var t = T();
        using var idx = torch.tensor(new long[] { 2, 0 });
        using (var r = t[0, idx]) Check.Longs([8, 9, 10, 11, 0, 1, 2, 3], r, [2, 4]);
        using (var r = t[TensorIndex.Ellipsis, idx]) Check.Longs([2, 0, 6, 4, 10, 8, 14, 12, 18, 16, 22, 20], r, [2, 3, 2]);
    }

    [Fact]
    public void IndexResultsAreViewsOfTheBase()
    {
        using var t = T();
        using (var r = t[1, 0..2, 0]) r.fill_(-1);
        Assert.Equal(-1L, t.ToArray<long>()[12]);
        Assert.Equal(-1L, t.ToArray<long>()[16]);
        Assert.Equal(20L, t.ToArray<long>()[20]);
    }

    [Fact]
    public void BadIndicesThrow()
    {
        using var t = T();
        Assert.Throws<ArgumentException>(() => t[0, 0, 0, 0]);
        Assert.Throws<TorchException>(() => t[2]);
        Assert.Throws<TorchException>(() => t[0, -4]);
    }

    [Fact]
    public void IndexingInsideAScopeLeavesOnlyTheResult()
    {
        using var t = T();
        using var scope = torch.NewDisposeScope();
        var r = t[1, TensorIndex.Ellipsis, 1..3, TensorIndex.None];
        Assert.Equal(1, scope.DisposablesCount); // intermediates were freed
        Assert.Equal(new long[] { 3, 2, 1 }, r.shape);
    }
}
