namespace Research.Torch.Tests;

public class ShapeOpTests
{
    private static Tensor Range(params long[] shape) => torch.arange(Data.Numel(shape)).view(shape);

    [Fact]
    public void ViewAndReshape()
    {
        using var t = torch.arange(6);
        using var v = t.view(2, 3);
        Assert.Equal(new long[] { 2, 3 }, v.shape);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5 }, v.ToArray<long>());
        using var inferred = t.view(-1, 2);
        Assert.Equal(new long[] { 3, 2 }, inferred.shape);

        // A view shares storage.
        using (var e = v[1, 2]) e.fill_(50);
        Assert.Equal(50L, t.ToArray<long>()[5]);

        // view of a non-contiguous tensor fails; reshape copies.
        using var tr = v.t();
        Assert.False(tr.is_contiguous());
        Assert.Throws<TorchException>(() => tr.view(6));
        using var r = tr.reshape(6);
        Assert.Equal(new long[] { 0, 3, 1, 4, 2, 50 }, r.ToArray<long>());
        using var vas = torch.zeros(3, 2);
        using var va = t.view_as(vas);
        Assert.Equal(new long[] { 3, 2 }, va.shape);
    }

    [Fact]
    public void PermuteAndTranspose()
    {
        using var t = Range(2, 3, 4);
        using var p = t.permute(2, 0, 1);
        Assert.Equal(new long[] { 4, 2, 3 }, p.shape);
        // p[k, i, j] = t[i, j, k] = 12 i + 4 j + k
        using (var e = p[3, 1, 2]) Assert.Equal(12 + 8 + 3L, e.item<long>());
        Assert.Equal(new long[] { 1, 12, 4 }, p.stride());

        using var tr = t.transpose(0, 2);
        Assert.Equal(new long[] { 4, 3, 2 }, tr.shape);
        using (var e = tr[1, 2, 1]) Assert.Equal(12 + 8 + 1L, e.item<long>());

        using var m = Range(2, 3);
        using var mt = m.t();
        Assert.Equal(new long[] { 0, 3, 1, 4, 2, 5 }, mt.ToArray<long>());
    }

    [Fact]
    public void FlattenSqueezeUnsqueeze()
    {
        using var t = Range(2, 3, 4);
        using (var f = t.flatten()) Assert.Equal(new long[] { 24 }, f.shape);
        using (var f = t.flatten(1)) Assert.Equal(new long[] { 2, 12 }, f.shape);
        using (var f = t.flatten(0, 1)) Assert.Equal(new long[] { 6, 4 }, f.shape);

        using var s = torch.zeros(1, 3, 1, 2);
        using (var q = s.squeeze()) Assert.Equal(new long[] { 3, 2 }, q.shape);
        using (var q = s.squeeze(2)) Assert.Equal(new long[] { 1, 3, 2 }, q.shape);
        using (var q = s.squeeze(1)) Assert.Equal(new long[] { 1, 3, 1, 2 }, q.shape); // size 3: unchanged
        using (var u = s.unsqueeze(0)) Assert.Equal(new long[] { 1, 1, 3, 1, 2 }, u.shape);
        using (var u = s.unsqueeze(-1)) Assert.Equal(new long[] { 1, 3, 1, 2, 1 }, u.shape);
    }

    [Fact]
    public void ExpandAndRepeat()
    {
        using var c = torch.tensor(new float[] { 1, 2 }, [2, 1]);
        using var e = c.expand(2, 3);
        Assert.Equal(new long[] { 2, 3 }, e.shape);
        Assert.Equal(new long[] { 1, 0 }, e.stride()); // no copy
        Assert.Equal(new float[] { 1, 1, 1, 2, 2, 2 }, e.ToArray<float>());
        using var e2 = c.expand(-1, 2);
        Assert.Equal(new long[] { 2, 2 }, e2.shape);
        using var target = torch.zeros(4, 2, 3);
        using var ea = c.expand_as(target);
        Assert.Equal(new long[] { 4, 2, 3 }, ea.shape);

        using var r = torch.tensor(new float[] { 1, 2 });
        using var rr = r.repeat(2, 3);
        Assert.Equal(new long[] { 2, 6 }, rr.shape);
        Assert.Equal(new float[] { 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2 }, rr.ToArray<float>());
    }

    [Fact]
    public void ChunkAndSplit()
    {
        using var t = torch.arange(5);
        var ch = t.chunk(3);
        Assert.Equal(3, ch.Length);
        Assert.Equal(new long[] { 0, 1 }, ch[0].ToArray<long>());
        Assert.Equal(new long[] { 2, 3 }, ch[1].ToArray<long>());
        Assert.Equal(new long[] { 4 }, ch[2].ToArray<long>());
        foreach (var c in ch) c.Dispose();

        var sp = t.split(2);
        Assert.Equal(new[] { 2L, 2L, 1L }, sp.Select(s => s.shape[0]).ToArray());
        Assert.Equal(new long[] { 4 }, sp[2].ToArray<long>());
        foreach (var s in sp) s.Dispose();

        using var m = Range(2, 5);
        var ss = m.split([1, 4], dim: 1);
        Assert.Equal(new long[] { 2, 1 }, ss[0].shape);
        Assert.Equal(new long[] { 2, 4 }, ss[1].shape);
        Assert.Equal(new long[] { 0, 5 }, ss[0].ToArray<long>());
        Assert.Equal(new long[] { 1, 2, 3, 4, 6, 7, 8, 9 }, ss[1].ToArray<long>());
        foreach (var s in ss) s.Dispose();

        Assert.Throws<TorchException>(() => m.split([1, 1], dim: 1)); // sizes must add up to 5
    }

    [Fact]
    public void NarrowSliceSelect()
    {
        using var m = Range(3, 4);
        using (var n = m.narrow(1, 1, 2)) Check.Longs([1, 2, 5, 6, 9, 10], n, [3, 2]);
        using (var s = m.slice(1, 0, 4, 2)) Check.Longs([0, 2, 4, 6, 8, 10], s, [3, 2]);
        using (var s = m.slice(0, 1, 3)) Check.Longs([4, 5, 6, 7, 8, 9, 10, 11], s, [2, 4]);
        using (var s = m.select(0, -1)) Check.Longs([8, 9, 10, 11], s, [4]);
        using (var s = m.select(1, 2)) Check.Longs([2, 6, 10], s, [3]);
    }

    [Fact]
    public void IndexSelectAndGather()
    {
        using var m = Range(3, 4);
        using var idx = torch.tensor(new long[] { 2, 0, 2 });
        using (var r = m.index_select(0, idx)) Check.Longs([8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11], r, [3, 4]);
        using (var r = m.index_select(1, idx)) Check.Longs([2, 0, 2, 6, 4, 6, 10, 8, 10], r, [3, 3]);

        // gather(1, index): out[i][j] = m[i][index[i][j]]
        using var gi = torch.tensor(new long[] { 3, 0, 1, 1, 2, 0 }, [3, 2]);
        using (var g = m.gather(1, gi)) Check.Longs([3, 0, 5, 5, 10, 8], g, [3, 2]);
        // gather(0, index): out[i][j] = m[index[i][j]][j]
        using var g0 = torch.tensor(new long[] { 2, 1, 0, 0 }, [1, 4]);
        using (var g = m.gather(0, g0)) Check.Longs([8, 5, 2, 3], g, [1, 4]);
    }

    [Fact]
    public void CatAndStack()
    {
        using var a = Range(2, 2);
        using var b = torch.tensor(new long[] { 10, 11 }, [1, 2]);
        using (var c = torch.cat([a, b])) Check.Longs([0, 1, 2, 3, 10, 11], c, [3, 2]);
        using var bt = b.t();
        using (var c = torch.cat([a, bt], dim: 1)) Check.Longs([0, 1, 10, 2, 3, 11], c, [2, 3]);
        using var a2 = a + 4;
        using (var s = torch.stack([a, a2])) Check.Longs([0, 1, 2, 3, 4, 5, 6, 7], s, [2, 2, 2]);
        using (var s = torch.stack([a, a2], dim: 2)) Check.Longs([0, 4, 1, 5, 2, 6, 3, 7], s, [2, 2, 2]);
        using (var s = torch.stack(new List<Tensor> { a, a2 }, dim: -1)) Assert.Equal(new long[] { 2, 2, 2 }, s.shape);
        Assert.Throws<ArgumentException>(() => torch.cat(Array.Empty<Tensor>()));
    }
}
